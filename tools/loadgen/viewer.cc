#include "tools/loadgen/viewer.h"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"

namespace ringcast::loadgen {
namespace {

using core::StrCat;
namespace stun = net::stun;

// Binding request retransmissions (RFC 8445 §14.3 / RFC 5389 §7.2.1, shortened for loopback).
constexpr int64_t kIceFirstRtoNs = 50 * core::kNsPerMs;
constexpr int kIceMaxAttempts = 8;                           // 50 ms doubling: about 6 s in all
constexpr int64_t kConsentIntervalNs = 5 * core::kNsPerSec;  // RFC 7675 §5.1: 4-6 s
// Host-candidate priority of ours as a peer-reflexive candidate (RFC 8445 §5.1.2.1).
constexpr uint32_t kPriority = (110u << 24) | (65535u << 8) | 255u;

}  // namespace

const char* ViewerStateName(Viewer::State state) {
  switch (state) {
    case Viewer::State::kIdle:
      return "idle";
    case Viewer::State::kSignalling:
      return "signalling";
    case Viewer::State::kIce:
      return "ice";
    case Viewer::State::kDtls:
      return "dtls";
    case Viewer::State::kMedia:
      return "media";
    case Viewer::State::kFailed:
      return "failed";
    case Viewer::State::kClosed:
      return "closed";
  }
  return "?";
}

Viewer::Viewer(ViewerEnv& env, int index, std::string path, std::string host, uint16_t port,
               std::string target)
    : env_(env),
      index_(index),
      path_(std::move(path)),
      host_(std::move(host)),
      port_(port),
      target_(std::move(target)),
      ice_timer_(env.ring, [this] { OnIceTimer(); }),
      dtls_timer_(env.ring,
                  [this] {
                    if (!dtls_) return;
                    dtls_->OnTimeout();
                    if (dtls_->state() == crypto::DtlsState::kFailed) {
                      return Fail(StrCat("dtls: ", dtls_->error()));
                    }
                    ArmDtlsTimer();
                  }),
      seq_(env.nack) {
  RAND_bytes(reinterpret_cast<uint8_t*>(&tie_breaker_), sizeof(tie_breaker_));
  RAND_bytes(reinterpret_cast<uint8_t*>(&ssrc_), sizeof(ssrc_));
}

Viewer::~Viewer() {
  request_.reset();
  if (receiver_) {
    receiver_->Detach();
    env_.ring.Retire(std::move(receiver_));
  }
}

void Viewer::Fail(std::string reason) {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  LOG_DEBUG("loadgen: viewer %d (%s): %s", index_, path_, reason);
  error_ = std::move(reason);
  const bool signalling = state_ == State::kSignalling;
  state_ = State::kFailed;
  ice_timer_.Disarm();
  dtls_timer_.Disarm();
  if (receiver_) {
    receiver_->Detach();
    env_.ring.Retire(std::move(receiver_));
  }
  if (signalling) Signalled();
}

void Viewer::Close() {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  if (dtls_ && dtls_->state() == crypto::DtlsState::kConnected) dtls_->Close();
  const bool signalling = state_ == State::kSignalling;
  state_ = State::kClosed;
  request_.reset();
  janus_.reset();
  ice_timer_.Disarm();
  dtls_timer_.Disarm();
  if (receiver_) {
    receiver_->Detach();
    env_.ring.Retire(std::move(receiver_));
  }
  if (signalling) Signalled();
}

void Viewer::Migrate() {
  // A Janus viewer is the controlled side: Janus nominates, so it would not follow the move.
  if (state_ != State::kMedia || janus_mountpoint_ != 0) return;
  receiver_->Detach();
  env_.ring.Retire(std::move(receiver_));
  old_socket_ = std::move(socket_);
  if (absl::Status s = OpenSocket(); !s.ok()) {
    return Fail(StrCat("migrate: ", core::ToStd(s.message())));
  }
  StartReceiving();
  ++counts_.migrations;
  SendBindingRequest();  // answered as a consent check; the server re-nominates this address
}

absl::Status Viewer::OpenSocket() {
  net::Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return core::ErrnoStatus(errno, "udp socket");
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, host_.c_str(), &local.sin_addr);
  if ((ntohl(local.sin_addr.s_addr) >> 24) != 127) local.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
    return core::ErrnoStatus(errno, "udp bind");
  }
  const int rcvbuf = 1 << 20;  // the fast-start burst; capped by net.core.rmem_max
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  socket_ = std::move(fd);
  return absl::OkStatus();
}

void Viewer::Start(std::function<void()> on_signalled) {
  on_signalled_ = std::move(on_signalled);
  state_ = State::kSignalling;
  if (absl::Status s = OpenSocket(); !s.ok()) {
    return Fail(StrCat("socket: ", core::ToStd(s.message())));
  }
  ufrag_ = RandomIceString(8);
  pwd_ = RandomIceString(24);
  if (janus_mountpoint_ != 0) {
    JanusObserver& observer = *this;
    janus_ = std::make_unique<JanusSignalling>(env_.ring, env_.buffers, host_, port_, target_,
                                               janus_mountpoint_, observer);
    janus_->Start();
    return;
  }
  const std::string offer = BuildOffer({.ice_ufrag = ufrag_,
                                        .ice_pwd = pwd_,
                                        .fingerprint = env_.fingerprint,
                                        .session_id = 1000u + static_cast<uint64_t>(index_)});
  std::string request = net::http::FormatRequest(net::http::Protocol::kHttp, "POST", target_,
                                                 {{"Host", StrCat(host_, ":", port_)},
                                                  {"Content-Type", "application/sdp"},
                                                  {"User-Agent", "ringcast-loadgen"},
                                                  {"Connection", "close"}},
                                                 offer);
  absl::StatusOr<std::unique_ptr<HttpRequest>> r = HttpRequest::Start(
      env_.ring, env_.buffers, host_, port_, std::move(request), env_.http_timeout_ns,
      [this](absl::StatusOr<net::http::Message> response) { OnWhepResponse(std::move(response)); });
  if (!r.ok()) return Fail(StrCat("whep: ", core::ToStd(r.status().message())));
  request_ = std::move(*r);
}

void Viewer::OnWhepResponse(absl::StatusOr<net::http::Message> response) {
  request_.reset();
  if (state_ != State::kSignalling) return;
  if (!response.ok()) return Fail(StrCat("whep: ", core::ToStd(response.status().message())));
  if (response->status != 201 && response->status != 200) {
    return Fail(StrCat("whep: HTTP ", response->status));
  }
  absl::StatusOr<WhepAnswer> answer = ParseAnswer(response->body);
  if (!answer.ok()) return Fail(std::string(core::ToStd(answer.status().message())));
  answer_ = std::move(*answer);
  answer_ns_ = core::NowNs();
  media_ssrc_ = answer_.ssrc;
  server_.sin_family = AF_INET;
  server_.sin_port = htons(answer_.candidate_port);
  if (::inet_pton(AF_INET, answer_.candidate_ip.c_str(), &server_.sin_addr) != 1) {
    return Fail("answer: candidate address is not IPv4");
  }
  state_ = State::kIce;
  Signalled();
  StartReceiving();
  ice_attempts_ = 0;
  SendBindingRequest();
}

void Viewer::StartReceiving() {
  core::ReceiveHandler& handler = *this;
  receiver_ = std::make_unique<core::Receiver>(env_.ring, env_.buffers, socket_.get(),
                                               core::Receiver::Mode::kDatagram, handler);
  receiver_->Start();
}

absl::StatusOr<std::string> Viewer::OnJanusOffer(std::string_view sdp) {
  absl::StatusOr<WhepAnswer> offer = ParseAnswer(sdp);  // the same fields, from the offer
  if (!offer.ok()) {
    return absl::InvalidArgumentError(StrCat("janus ", core::ToStd(offer.status().message())));
  }
  answer_ = std::move(*offer);
  answer_ns_ = core::NowNs();
  media_ssrc_ = answer_.ssrc;
  server_.sin_family = AF_INET;
  server_.sin_port = htons(answer_.candidate_port);
  if (::inet_pton(AF_INET, answer_.candidate_ip.c_str(), &server_.sin_addr) != 1) {
    return absl::InvalidArgumentError("janus offer: candidate address is not IPv4");
  }
  // Our host candidate: the local address the kernel routes Janus's candidate from.
  sockaddr_in local{};
  socklen_t local_len = sizeof(local);
  {
    net::Fd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!probe.valid() ||
        ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&server_), sizeof(server_)) != 0 ||
        ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&local), &local_len) != 0) {
      return core::ErrnoStatus(errno, "janus: no route to the offered candidate");
    }
  }
  char ip[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &local.sin_addr, ip, sizeof(ip));
  absl::StatusOr<int> port = net::LocalPort(socket_.get());
  if (!port.ok()) return port.status();
  absl::StatusOr<std::string> answer =
      BuildJanusAnswer(sdp,
                       {.ice_ufrag = ufrag_,
                        .ice_pwd = pwd_,
                        .fingerprint = env_.fingerprint,
                        .session_id = 1000u + static_cast<uint64_t>(index_)},
                       ip, static_cast<uint16_t>(*port));
  if (!answer.ok()) return answer.status();
  state_ = State::kIce;
  StartReceiving();  // Janus may check us as soon as it has the answer
  return answer;
}

void Viewer::OnJanusStarted() {
  Signalled();
  if (state_ != State::kIce) return;
  ice_attempts_ = 0;
  SendBindingRequest();
}

void Viewer::OnJanusFailed(std::string reason) {
  if (state_ == State::kSignalling || state_ == State::kIce) Fail(std::move(reason));
  Signalled();
}

void Viewer::SendTo(std::span<const uint8_t> bytes) {
  ::sendto(socket_.get(), bytes.data(), bytes.size(), 0,
           reinterpret_cast<const sockaddr*>(&server_), sizeof(server_));
}

// RFC 8445 §7.1.1-7.1.2: USERNAME "theirs:ours", PRIORITY, ICE-CONTROLLING (we are the full
// agent; the server is lite), USE-CANDIDATE (aggressive nomination, §8.1.1), MESSAGE-INTEGRITY
// keyed with the server's ice-pwd, FINGERPRINT.
void Viewer::SendBindingRequest() {
  RAND_bytes(pending_tid_.data(), pending_tid_.size());
  ice_pending_ = true;
  uint8_t buffer[256];
  stun::MessageWriter w(
      buffer, stun::MessageType(stun::kMethodBinding, stun::MessageClass::kRequest), pending_tid_);
  w.AddString(stun::attr::kUsername, StrCat(answer_.ice_ufrag, ":", ufrag_));
  w.AddUint32(stun::attr::kPriority, kPriority);
  if (janus_mountpoint_ != 0) {
    // Janus offered and is the full, controlling agent (RFC 8445 §6.1.1): we are controlled,
    // and it nominates.
    w.AddUint64(stun::attr::kIceControlled, tie_breaker_);
  } else {
    w.AddUint64(stun::attr::kIceControlling, tie_breaker_);
    w.AddAttribute(stun::attr::kUseCandidate, {});
  }
  w.AddMessageIntegrity(answer_.ice_pwd);
  w.AddFingerprint();
  if (!w.ok()) return Fail("ice: binding request does not fit");
  SendTo(w.bytes());
  ++ice_attempts_;
  ice_timer_.ArmAfter(ice_done_ ? kConsentIntervalNs
                                : kIceFirstRtoNs << std::min(ice_attempts_ - 1, 6));
}

void Viewer::OnIceTimer() {
  if (!ice_done_) {
    if (ice_attempts_ >= kIceMaxAttempts) return Fail("ice: no binding response");
    SendBindingRequest();
    return;
  }
  // Consent freshness (RFC 7675): one request per interval; answers are counted in OnStun.
  ++counts_.consent_sent;
  SendBindingRequest();
}

void Viewer::OnStun(std::span<const uint8_t> bytes, const sockaddr* from, socklen_t from_len) {
  std::optional<stun::Message> m = stun::ParseMessage(bytes);
  if (!m || m->method != stun::kMethodBinding || !stun::VerifyFingerprint(bytes, *m)) return;
  if (m->cls == stun::MessageClass::kRequest) {
    // A full ICE agent's check (Janus): answer as the controlled side, keyed with our pwd.
    if (!stun::VerifyMessageIntegrity(bytes, *m, pwd_)) return;
    uint8_t out[256];
    if (std::optional<size_t> n =
            stun::WriteBindingSuccess(out, m->transaction_id, from, from_len, pwd_)) {
      ::sendto(socket_.get(), out, *n, 0, from, from_len);
    }
    return;
  }
  if (!ice_pending_ || m->transaction_id != pending_tid_) return;
  if (m->cls == stun::MessageClass::kErrorResponse && janus_mountpoint_ != 0) {
    return;  // a full agent may refuse a check it cannot place yet (401/487): retransmit
  }
  if (m->cls == stun::MessageClass::kErrorResponse) {
    return Fail(StrCat("ice: binding error ", m->error_code ? m->error_code->code : 0));
  }
  if (m->cls != stun::MessageClass::kSuccessResponse) return;
  if (!stun::VerifyMessageIntegrity(bytes, *m, answer_.ice_pwd)) return;
  ice_pending_ = false;
  if (ice_done_) {
    ++counts_.consent_answered;
    return;
  }
  ice_done_ = true;
  ice_timer_.ArmAfter(kConsentIntervalNs);
  StartDtls();
}

void Viewer::StartDtls() {
  absl::StatusOr<std::unique_ptr<crypto::DtlsTransport>> dtls = crypto::DtlsTransport::Create(
      env_.dtls, crypto::DtlsRole::kClient, answer_.fingerprint_hash, answer_.fingerprint, *this);
  if (!dtls.ok()) return Fail(StrCat("dtls: ", core::ToStd(dtls.status().message())));
  dtls_ = std::move(*dtls);
  state_ = State::kDtls;
  dtls_->Start();
  ArmDtlsTimer();
}

void Viewer::ArmDtlsTimer() {
  if (!dtls_ || dtls_->state() != crypto::DtlsState::kHandshaking) return dtls_timer_.Disarm();
  if (std::optional<int64_t> delay = dtls_->RetransmitDelayNs()) {
    dtls_timer_.ArmAfter(std::max<int64_t>(*delay, core::kNsPerMs));
  }
}

void Viewer::OnDtlsSend(std::span<const uint8_t> datagram) { SendTo(datagram); }

void Viewer::OnDtls(std::span<const uint8_t> bytes) {
  if (!dtls_) return;
  const crypto::DtlsState before = dtls_->state();
  dtls_->OnDatagram(bytes);
  const crypto::DtlsState after = dtls_->state();
  if (after == crypto::DtlsState::kFailed) return Fail(StrCat("dtls: ", dtls_->error()));
  if (before != crypto::DtlsState::kConnected && after == crypto::DtlsState::kConnected) {
    return OnDtlsConnected();
  }
  if (dtls_->peer_closed() && state_ == State::kMedia) return Fail("dtls: server closed");
  ArmDtlsTimer();
}

void Viewer::OnDtlsConnected() {
  dtls_timer_.Disarm();
  const crypto::DtlsSrtpKeys& keys = dtls_->srtp_keys();
  auto in = crypto::MakeSrtp(crypto::SrtpEngineKind::kBuiltin, keys.profile, keys.remote,
                             crypto::SrtpDirection::kUnprotect);
  auto out = crypto::MakeSrtp(crypto::SrtpEngineKind::kBuiltin, keys.profile, keys.local,
                              crypto::SrtpDirection::kProtect);
  if (!in.ok() || !out.ok()) return Fail("srtp: keying failed");
  srtp_in_ = std::move(*in);
  srtp_out_ = std::move(*out);
  state_ = State::kMedia;
}

// RFC 7983 §7: the first byte tells STUN (0-3), DTLS (20-63) and RTP/RTCP (128-191) apart;
// RFC 5761 §4 then tells RTCP (second byte 192-223) from RTP.
void Viewer::OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                       uint16_t bid) {
  if (!bytes.empty()) {
    const uint8_t first = bytes[0];
    if (first >= 128 && first <= 191 && bytes.size() >= 12) {
      if (bytes[1] >= 192 && bytes[1] <= 223) {
        OnRtcp(bytes);
      } else {
        OnRtp(bytes);
      }
    } else if (first <= 3) {
      OnStun(bytes, from, from_len);
    } else if (first >= 20 && first <= 63) {
      OnDtls(bytes);
    }
  }
  env_.buffers.Recycle(bid);
}

void Viewer::OnReceiveEnd(int error) {
  if (state_ != State::kFailed && state_ != State::kClosed) {
    Fail(StrCat("udp receive ended: ", std::strerror(-error)));
  }
}

}  // namespace ringcast::loadgen
