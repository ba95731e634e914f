// StreamServer: accepts stream connections (TCP or Unix) on a Ring and runs a protocol session
// on each — the shared transport of the HTTP server, the control socket and (later) RTSP.
//
//   listener fd ─multishot accept─▶ StreamConnection ─multishot recv (BufferRing)─▶ session
//   session ─Send()─▶ one IORING_OP_SEND at a time, queued bytes behind it
//
// The server owns its connections; a connection owns its session. A closed connection is
// cancelled, drained and deleted through Ring::Retire, so no CQE ever reaches freed memory.
// Ring thread only.
#ifndef RINGCAST_NET_STREAM_SERVER_H_
#define RINGCAST_NET_STREAM_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "core/buffer_ring.h"
#include "core/drop_counter.h"
#include "core/networks.h"
#include "core/receiver.h"
#include "core/ring.h"
#include "net/socket.h"

namespace ringcast::net {

class StreamConnection;

// A peer refused by an allow-list (a listener's, or a path's for reading or publishing).
extern const core::DropCounter kAddressNotAllowedDrops;

// The protocol side of one connection.
class StreamSession {
 public:
  virtual ~StreamSession() = default;
  // Bytes received; valid only during this call.
  virtual void OnBytes(std::span<const uint8_t> bytes) = 0;
  // When a message (request, frame) has begun and not ended: how many messages ended before it
  // (so a new pending message is told from the old one); nullopt when none is pending. Asked
  // after each OnBytes, for StreamServerOptions::request_timeout_ns.
  virtual std::optional<uint64_t> PendingMessage() const { return std::nullopt; }
};

struct StreamServerOptions {
  std::string name = "stream";  // for log lines: "http", "ctl"
  size_t max_connections = 256;
  int64_t idle_timeout_ns = 0;        // close connections idle this long; 0: never
  size_t max_queued_bytes = 8 << 20;  // a peer that doesn't read is cut off past this
  // A message begun must end within this (a slowloris client trickling a header is cut off
  // however often it sends a byte); 0: no limit.
  int64_t request_timeout_ns = 0;
  size_t max_connections_per_ip = 0;  // connections from one address at most; 0: no limit
  core::NetworkList allow;            // who may connect (empty: anyone); others are closed
};

class StreamServer final : public core::Completion {
 public:
  using SessionFactory = std::function<std::unique_ptr<StreamSession>(StreamConnection&)>;

  StreamServer(core::Ring& ring, core::BufferRing& buffers, Fd listener,
               StreamServerOptions options, SessionFactory factory);
  // Closes every connection. Operations still in flight are cancelled and drained by the ring.
  ~StreamServer() override;
  // Closes every connection now (their sessions are destroyed before this returns) and accepts
  // no more: what the owner calls before it retires the server, so the sessions go while what
  // they refer to is still there.
  void CloseAll();

  void Start();
  // Takes over a connection another ring accepted (StreamConnection::HandOff): a new
  // StreamConnection on this ring with a session from the factory, which `resume` gets first —
  // to be given what the other ring had already read — before any new byte arrives.
  void Adopt(Fd fd, std::string peer, const std::function<void(StreamSession&)>& resume);
  size_t connection_count() const { return connections_.size(); }
  // The same, for another thread's stats (relaxed: a figure).
  size_t connections_now() const { return connections_now_.load(std::memory_order_relaxed); }
  uint64_t accepted() const { return accepted_; }
  uint64_t accept_failures() const { return accept_failures_; }
  const std::string& name() const { return options_.name; }

  void OnCompletion(const io_uring_cqe& cqe) override;

 private:
  void ArmAccept();
  void Remove(StreamConnection* connection);
  // Counts a connection from `address` ("" for Unix sockets: not limited); false when that
  // address has max_connections_per_ip already.
  bool AdmitFrom(const std::string& address);

  core::Ring& ring_;
  core::BufferRing& buffers_;
  Fd listener_;
  StreamServerOptions options_;
  SessionFactory factory_;
  std::unordered_map<StreamConnection*, std::unique_ptr<StreamConnection>> connections_;
  std::unordered_map<std::string, size_t> per_address_;  // open connections by client address
  std::atomic<size_t> connections_now_{0};
  uint64_t accepted_ = 0;
  uint64_t accept_failures_ = 0;
  bool stopped_ = false;
  // Out of file descriptors (EMFILE…): the accept is re-armed from this timer, after a wait that
  // doubles while it keeps failing and resets at the next success.
  int64_t accept_backoff_ns_ = 0;
  core::Timer accept_backoff_timer_;
};

// One connected stream socket: receives into the ring's BufferRing and feeds its session,
// sends what the session queues. Accepted ones belong to a StreamServer; an outgoing one (an
// RTSP client) to whoever connected it. `on_closed` runs once when the connection closes and
// must hand the object to Ring::Retire (its send may still be in flight).
class StreamConnection final : public core::Completion, private core::ReceiveHandler {
 public:
  StreamConnection(core::Ring& ring, core::BufferRing& buffers, Fd fd, std::string peer,
                   const StreamServerOptions& options,
                   std::function<void(StreamConnection*)> on_closed);
  ~StreamConnection() override;

  // Starts receiving; `session` gets the bytes from now on.
  void Start(std::unique_ptr<StreamSession> session);

  // Queues bytes to send, in order.
  void Send(std::string bytes);
  // Queues `head` then `body` without building a temporary (per-packet sends).
  void SendParts(std::span<const uint8_t> head, std::span<const uint8_t> body);
  size_t queued_bytes() const { return queued_.size() + sending_.size() - sent_; }
  // Closes once everything queued has been sent; input arriving meanwhile is discarded.
  void CloseAfterSend();
  // Closes now; queued bytes are dropped. The session is destroyed before this returns, so a
  // session may call it and must not touch its members afterwards.
  void Close();

  // Gives the socket up to another ring, unclosed: no more input reaches the session; once the
  // replies queued so far have been sent and the receive has stopped, `done` gets the socket and
  // every byte that arrived after the call (it runs on this ring's thread, and must move them to
  // the other ring), and the connection goes as if closed. The session lives until then but is
  // not called again. Close() before that drops the hand-off.
  using HandOffDone = std::function<void(Fd fd, std::string pending)>;
  void HandOff(HandOffDone done);
  bool handing_off() const { return hand_off_ != nullptr; }

  const std::string& peer() const { return peer_; }
  // The peer's address without its port ("" for a Unix socket): what per-address limits key on.
  const std::string& address() const { return address_; }
  void set_address(std::string address) { address_ = std::move(address); }
  // Counts as activity for the idle timeout, like received bytes do (media a session receives
  // elsewhere, e.g. RTP over UDP for an RTSP session).
  void Touch(int64_t now_ns) { last_activity_ns_ = now_ns; }
  int fd() const { return fd_.get(); }
  bool closing() const { return closing_; }

  void OnCompletion(const io_uring_cqe& cqe) override;

 private:
  void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                 uint16_t bid) override;
  void OnReceiveEnd(int error) override;
  void SendNext();
  // False (and the connection closed) when `bytes` more would exceed max_queued_bytes.
  bool Admit(size_t bytes);
  // HandOff: finishes once nothing is in flight either way.
  void MaybeFinishHandOff();
  // After the session has read bytes: starts or stops the request timeout.
  void CheckMessageDeadline();
  void OnRequestTimer();

  core::Ring& ring_;
  core::BufferRing& buffers_;
  StreamServerOptions options_;
  std::function<void(StreamConnection*)> on_closed_;
  Fd fd_;
  std::string peer_;
  std::string address_;
  std::unique_ptr<StreamSession> session_;
  std::unique_ptr<core::Receiver> receiver_;
  std::unique_ptr<core::Timer> idle_timer_;
  int64_t last_activity_ns_ = 0;
  std::unique_ptr<core::Timer> request_timer_;  // created at the first message left pending
  int64_t message_since_ns_ = 0;                // when the pending message began; 0: none
  uint64_t pending_message_ = 0;                // its PendingMessage() number
  std::string queued_;                          // waiting for the send in flight
  std::string sending_;                         // owned by the send in flight
  size_t sent_ = 0;                             // bytes of sending_ already sent
  bool send_in_flight_ = false;
  bool close_after_send_ = false;
  bool closing_ = false;
  std::unique_ptr<HandOffDone> hand_off_;  // HandOff() was called
  bool receive_stopped_ = false;           // ... and the receive has ended
  std::string hand_off_pending_;           // bytes that arrived after it
};

}  // namespace ringcast::net

#endif  // RINGCAST_NET_STREAM_SERVER_H_
