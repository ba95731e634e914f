#include "net/stream_server.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "core/clock.h"
#include "core/drop_counter.h"
#include "core/log.h"
#include "core/strings.h"

namespace ringcast::net {

using core::StrCat;

const core::DropCounter kAddressNotAllowedDrops(
    "address_not_allowed",
    "a peer outside an allow-list: a listener's (rtsp./webrtc./metrics.allow, closed at once) or "
    "a path's read_allow / publish_allow (answered 403)");

namespace {

// Named when only HTTP had a connection limit; it counts every stream listener's refusals.
const core::DropCounter kTooManyConnectionsDrops(
    "http_too_many_connections", "connection refused: over the listener's connection limit");
const core::DropCounter kAcceptNoResourcesDrops(
    "accept_no_resources",
    "accept failed for want of file descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM); the "
    "listener waits (10 ms, doubling to 1 s) before it accepts again");

// Out of descriptors the pending connection stays in the backlog, and an accept armed again at
// once fails again at once: a busy loop until something closes. Wait instead.
constexpr int64_t kFirstAcceptBackoffNs = 10 * core::kNsPerMs;
constexpr int64_t kMaxAcceptBackoffNs = core::kNsPerSec;

const core::DropCounter kPerAddressDrops(
    "connections_per_ip", "connection refused: its address has the listener's per-address limit");
const core::DropCounter kSlowRequestDrops(
    "slow_request", "connection closed: a request or frame begun was not complete in time");

// A TCP peer's host ("" for a Unix socket: per-address limits do not apply).
std::string AddressOf(const sockaddr_storage& peer, const std::string& peer_name) {
  if (peer.ss_family != AF_INET && peer.ss_family != AF_INET6) return {};
  return std::string(PeerHost(peer_name));
}

bool OutOfResources(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

}  // namespace

StreamServer::StreamServer(core::Ring& ring, core::BufferRing& buffers, Fd listener,
                           StreamServerOptions options, SessionFactory factory)
    : ring_(ring),
      buffers_(buffers),
      listener_(std::move(listener)),
      options_(std::move(options)),
      factory_(std::move(factory)),
      accept_backoff_timer_(ring, [this] {
        if (!stopped_) ArmAccept();
      }) {}

StreamServer::~StreamServer() {
  stopped_ = true;
  // Each Close() removes the connection from the map and hands it to the ring to drain.
  while (!connections_.empty()) connections_.begin()->first->Close();
  // Our own accept must not be in flight any more: the owner drains the ring (or retires us)
  // first. The listening socket closes with listener_.
}

void StreamServer::Start() { ArmAccept(); }

void StreamServer::CloseAll() {
  stopped_ = true;
  while (!connections_.empty()) connections_.begin()->first->Close();
}

void StreamServer::ArmAccept() {
  io_uring_sqe* sqe = ring_.GetSqe(this);
  io_uring_prep_multishot_accept(sqe, listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
}

void StreamServer::OnCompletion(const io_uring_cqe& cqe) {
  if (cqe.res >= 0) {
    Fd fd(cqe.res);
    if (stopped_) return;
    ++accepted_;
    accept_backoff_ns_ = 0;
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof(peer);
    getpeername(fd.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length);
    std::string peer_name = FormatSocketAddress(reinterpret_cast<sockaddr*>(&peer), peer_length);
    if (peer.ss_family == AF_UNIX) {
      // Name a local client by its process and user, for the audit lines of ringcastctl -w.
      ucred credentials{};
      socklen_t length = sizeof(credentials);
      if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0) {
        peer_name = StrCat("pid ", credentials.pid, " uid ", credentials.uid);
      }
    }
    if (!options_.allow.Allows(reinterpret_cast<const sockaddr*>(&peer), peer_length)) {
      kAddressNotAllowedDrops.Count();
      LOG_EVERY_SEC(Warn, "%s: refused connection from %s: not in %s.allow", options_.name,
                    peer_name, options_.name);
      return;  // fd closes
    }
    if (connections_.size() >= options_.max_connections) {
      kTooManyConnectionsDrops.Count();
      LOG_EVERY_SEC(Warn, "%s: refused connection from %s: %zu connections open (the limit)",
                    options_.name, peer_name, connections_.size());
      return;  // fd closes
    }
    std::string address = AddressOf(peer, peer_name);
    if (!AdmitFrom(address)) {
      kPerAddressDrops.Count();
      LOG_EVERY_SEC(Warn,
                    "%s: refused connection from %s: %zu connections from that address "
                    "(the limit)",
                    options_.name, peer_name, options_.max_connections_per_ip);
      return;  // fd closes
    }
    auto connection =
        std::make_unique<StreamConnection>(ring_, buffers_, std::move(fd), peer_name, options_,
                                           [this](StreamConnection* closed) { Remove(closed); });
    StreamConnection* raw = connection.get();
    raw->set_address(std::move(address));
    connections_.emplace(raw, std::move(connection));
    connections_now_.store(connections_.size(), std::memory_order_relaxed);
    raw->Start(factory_(*raw));
  } else if (OutOfResources(-cqe.res) && !stopped_) {
    ++accept_failures_;
    kAcceptNoResourcesDrops.Count();
    accept_backoff_ns_ = accept_backoff_ns_ == 0
                             ? kFirstAcceptBackoffNs
                             : std::min(2 * accept_backoff_ns_, kMaxAcceptBackoffNs);
    LOG_EVERY_SEC(Warn, "%s: accept failed: %s; accepting again in %d ms", options_.name,
                  strerror(-cqe.res), accept_backoff_ns_ / core::kNsPerMs);
    if (cqe.flags & IORING_CQE_F_MORE) ring_.Cancel(this);  // its last CQE re-arms nothing
    if (!accept_backoff_timer_.armed()) accept_backoff_timer_.ArmAfter(accept_backoff_ns_);
    return;
  } else if (cqe.res != -ECANCELED && !stopped_) {
    ++accept_failures_;
    LOG_EVERY_SEC(Warn, "%s: accept failed: %s", options_.name, strerror(-cqe.res));
  }
  if (!(cqe.flags & IORING_CQE_F_MORE) && !stopped_ && cqe.res != -ECANCELED &&
      !accept_backoff_timer_.armed()) {
    ArmAccept();
  }
}

void StreamServer::Adopt(Fd fd, std::string peer,
                         const std::function<void(StreamSession&)>& resume) {
  if (stopped_) return;  // fd closes
  // Handed over by another worker, which admitted it: counted here, never refused.
  sockaddr_storage address{};
  socklen_t address_length = sizeof(address);
  getpeername(fd.get(), reinterpret_cast<sockaddr*>(&address), &address_length);
  std::string client = AddressOf(address, peer);
  if (!client.empty()) ++per_address_[client];
  auto connection =
      std::make_unique<StreamConnection>(ring_, buffers_, std::move(fd), std::move(peer), options_,
                                         [this](StreamConnection* closed) { Remove(closed); });
  StreamConnection* raw = connection.get();
  raw->set_address(std::move(client));
  connections_.emplace(raw, std::move(connection));
  connections_now_.store(connections_.size(), std::memory_order_relaxed);
  std::unique_ptr<StreamSession> session = factory_(*raw);
  StreamSession& handle = *session;
  raw->Start(std::move(session));  // the receive is armed; its first CQE comes after `resume`
  resume(handle);
}

bool StreamServer::AdmitFrom(const std::string& address) {
  if (address.empty()) return true;
  size_t& count = per_address_[address];
  if (options_.max_connections_per_ip > 0 && count >= options_.max_connections_per_ip) {
    if (count == 0) per_address_.erase(address);
    return false;
  }
  ++count;
  return true;
}

void StreamServer::Remove(StreamConnection* connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  if (!connection->address().empty()) {
    auto count = per_address_.find(connection->address());
    if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  }
  std::unique_ptr<StreamConnection> owned = std::move(it->second);
  connections_.erase(it);
  connections_now_.store(connections_.size(), std::memory_order_relaxed);
  ring_.Retire(std::move(owned));
}

StreamConnection::StreamConnection(core::Ring& ring, core::BufferRing& buffers, Fd fd,
                                   std::string peer, const StreamServerOptions& options,
                                   std::function<void(StreamConnection*)> on_closed)
    : ring_(ring),
      buffers_(buffers),
      options_(options),
      on_closed_(std::move(on_closed)),
      fd_(std::move(fd)),
      peer_(std::move(peer)) {}

StreamConnection::~StreamConnection() = default;

void StreamConnection::Start(std::unique_ptr<StreamSession> session) {
  session_ = std::move(session);
  receiver_ =
      std::make_unique<core::Receiver>(ring_, buffers_, fd_.get(), core::Receiver::Mode::kStream,
                                       static_cast<core::ReceiveHandler&>(*this));
  receiver_->Start();
  last_activity_ns_ = core::NowNs();
  if (options_.idle_timeout_ns > 0) {
    // Activity only stamps a time; the timer looks at it when it fires, so busy connections
    // cost no timer operation per receive.
    idle_timer_ = std::make_unique<core::Timer>(ring_, [this] {
      int64_t idle_until = last_activity_ns_ + options_.idle_timeout_ns;
      if (core::NowNs() < idle_until) {
        idle_timer_->ArmAt(idle_until);
        return;
      }
      LOG_EVERY_SEC(Info, "%s: closing the connection from %s: silent for %d s", options_.name,
                    peer_, options_.idle_timeout_ns / core::kNsPerSec);
      Close();
    });
    idle_timer_->ArmAfter(options_.idle_timeout_ns);
  }
}

void StreamConnection::OnReceive(std::span<uint8_t> bytes, const sockaddr*, socklen_t,
                                 uint16_t bid) {
  last_activity_ns_ = core::BatchNowNs();
  if (hand_off_ != nullptr) {  // the other ring gets these
    hand_off_pending_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    buffers_.Recycle(bid);
    return;
  }
  // The session copies what it keeps (parsers accumulate into their message), so the buffer
  // goes back to the kernel as soon as the call returns. A session that asked to close after
  // its last reply gets no more input.
  if (!closing_ && !close_after_send_ && session_ != nullptr) {
    session_->OnBytes(bytes);
    CheckMessageDeadline();
  }
  buffers_.Recycle(bid);
}

void StreamConnection::CheckMessageDeadline() {
  if (options_.request_timeout_ns <= 0 || session_ == nullptr || closing_) return;
  const std::optional<uint64_t> pending = session_->PendingMessage();
  if (!pending) {
    message_since_ns_ = 0;  // the timer, if armed, finds nothing to do
    return;
  }
  // Still the same message: its deadline stands, however many bytes trickle in.
  if (message_since_ns_ != 0 && *pending == pending_message_) return;
  pending_message_ = *pending;
  message_since_ns_ = core::BatchNowNs();
  if (request_timer_ == nullptr) {
    request_timer_ = std::make_unique<core::Timer>(ring_, [this] { OnRequestTimer(); });
  }
  if (!request_timer_->armed()) {
    request_timer_->ArmAt(message_since_ns_ + options_.request_timeout_ns);
  }
}

void StreamConnection::OnRequestTimer() {
  if (message_since_ns_ == 0 || closing_) return;
  const int64_t deadline = message_since_ns_ + options_.request_timeout_ns;
  if (core::NowNs() < deadline) {  // a later message: its own deadline
    request_timer_->ArmAt(deadline);
    return;
  }
  kSlowRequestDrops.Count();
  LOG_EVERY_SEC(Warn,
                "%s: closing the connection from %s: a request begun %d ms ago is not "
                "complete",
                options_.name, peer_, options_.request_timeout_ns / core::kNsPerMs);
  Close();
}

void StreamConnection::HandOff(HandOffDone done) {
  if (closing_ || hand_off_ != nullptr) return;
  hand_off_ = std::make_unique<HandOffDone>(std::move(done));
  idle_timer_.reset();
  request_timer_.reset();
  receiver_->Stop();  // may end the receive at once (then MaybeFinishHandOff runs from there)
  MaybeFinishHandOff();
}

void StreamConnection::MaybeFinishHandOff() {
  if (hand_off_ == nullptr || closing_ || !receive_stopped_ || send_in_flight_ ||
      !queued_.empty()) {
    return;
  }
  std::unique_ptr<HandOffDone> done = std::move(hand_off_);
  closing_ = true;
  ring_.Retire(std::move(receiver_));  // its last CQE is in: nothing left in flight
  (*done)(std::move(fd_), std::move(hand_off_pending_));
  on_closed_(this);  // retired by the owner; the session goes with the connection
}

void StreamConnection::OnReceiveEnd(int error) {
  if (hand_off_ != nullptr && error == -ECANCELED) {
    receive_stopped_ = true;
    MaybeFinishHandOff();
    return;
  }
  if (error != 0 && error != -ECONNRESET) {
    LOG_DEBUG("%s: receive from %s ended: %s", options_.name, peer_, strerror(-error));
  }
  Close();
}

bool StreamConnection::Admit(size_t bytes) {
  if (closing_) return false;
  if (queued_.size() + bytes > options_.max_queued_bytes) {
    LOG_EVERY_SEC(Warn, "%s: %s is not reading; closing its connection", options_.name, peer_);
    Close();
    return false;
  }
  return true;
}

void StreamConnection::Send(std::string bytes) {
  if (bytes.empty() || !Admit(bytes.size())) return;
  queued_ += bytes;
  if (!send_in_flight_) SendNext();
}

void StreamConnection::SendParts(std::span<const uint8_t> head, std::span<const uint8_t> body) {
  if (!Admit(head.size() + body.size())) return;
  queued_.append(reinterpret_cast<const char*>(head.data()), head.size());
  queued_.append(reinterpret_cast<const char*>(body.data()), body.size());
  if (!send_in_flight_) SendNext();
}

void StreamConnection::SendNext() {
  if (sent_ == sending_.size()) {
    sending_.clear();
    sent_ = 0;
    if (queued_.empty()) {
      if (close_after_send_) Close();
      return;
    }
    sending_.swap(queued_);
  }
  io_uring_sqe* sqe = ring_.GetSqe(this);
  io_uring_prep_send(sqe, fd_.get(), sending_.data() + sent_, sending_.size() - sent_,
                     MSG_NOSIGNAL);
  send_in_flight_ = true;
}

void StreamConnection::OnCompletion(const io_uring_cqe& cqe) {
  send_in_flight_ = false;
  if (closing_) return;
  if (cqe.res < 0) {
    if (cqe.res != -EPIPE && cqe.res != -ECONNRESET) {
      LOG_DEBUG("%s: send to %s failed: %s", options_.name, peer_, strerror(-cqe.res));
    }
    Close();
    return;
  }
  sent_ += static_cast<size_t>(cqe.res);
  SendNext();
  MaybeFinishHandOff();
}

void StreamConnection::CloseAfterSend() {
  close_after_send_ = true;
  if (!send_in_flight_ && queued_.empty()) Close();
}

void StreamConnection::Close() {
  if (closing_) return;
  closing_ = true;
  hand_off_.reset();
  session_.reset();
  idle_timer_.reset();
  request_timer_.reset();
  if (receiver_ != nullptr) {
    receiver_->Detach();
    ring_.Retire(std::move(receiver_));
  }
  if (fd_.valid()) ::shutdown(fd_.get(), SHUT_RDWR);
  on_closed_(this);  // the owner retires us: deleted (closing the fd) once our send has drained
}

}  // namespace ringcast::net
