// Viewer: one WHEP viewer of the load — the WebRTC client side that ringcastd's sessions talk to.
//
//   Start → POST offer (HttpRequest) → answer → STUN binding requests (USE-CANDIDATE, keyed with
//   the server's ice-pwd) → DTLS client handshake (crypto::DtlsTransport) → SRTP/SRTCP engines
//   from the exported keys → media: RTP counted by sequence number (SeqTracker), RTCP SRs read,
//   receiver reports every rr_interval, generic NACKs for gaps, consent checks every 5 s.
//
// Each viewer has its own UDP socket (the server maps sessions by source address) with a
// multishot recvmsg (core::Receiver) on the shared BufferRing; its few sends (STUN, DTLS, RTCP)
// are plain sendto calls. Media decryption is sampled: every packet until the first keyframe,
// then one in verify_one_in (1: all); the rest are counted from their cleartext header.
//
// Failures (HTTP status, bad answer, ICE or DTLS timeout) end this viewer with a reason and
// never affect the others. Ring thread only; viewer_media.cc has the per-packet half.
#ifndef RINGCAST_TOOLS_LOADGEN_VIEWER_H_
#define RINGCAST_TOOLS_LOADGEN_VIEWER_H_

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/buffer_ring.h"
#include "core/receiver.h"
#include "core/ring.h"
#include "crypto/dtls.h"
#include "crypto/srtp.h"
#include "net/socket.h"
#include "net/stun/message.h"
#include "rtp/rtcp/report.h"
#include "tools/loadgen/http_request.h"
#include "tools/loadgen/janus.h"
#include "tools/loadgen/options.h"
#include "tools/loadgen/seq_tracker.h"
#include "tools/loadgen/whep_sdp.h"

namespace ringcast::loadgen {

// What all viewers share: owned by the Loadgen, outlives every Viewer.
struct ViewerEnv {
  core::Ring& ring;
  core::BufferRing& buffers;
  crypto::DtlsContext& dtls;
  std::string fingerprint;  // of dtls's certificate, for our offers
  int verify_one_in = 1;
  NackPolicy nack;
  int simulate_loss_one_in = 0;  // drop 1 in N received RTP packets on purpose (tests NACK)
  NackAttack nack_attack = NackAttack::kNone;  // what viewers below nack_attackers send
  int nack_attackers = 0;
  int64_t http_timeout_ns = 10'000'000'000;
};

struct ViewerCounts {
  SeqCounts seq;
  uint64_t bytes = 0;          // RTP bytes (SRTP, as received)
  uint64_t verified = 0;       // decrypted and checked (payload type, SSRC)
  uint64_t verify_failed = 0;  // SRTP authentication failed / malformed / wrong PT
  uint64_t srs = 0;            // sender reports received
  uint64_t rrs_sent = 0;
  uint64_t rtcp_failed = 0;  // SRTCP that did not unprotect
  uint64_t foreign = 0;      // RTP of another SSRC
  uint64_t consent_sent = 0;
  uint64_t consent_answered = 0;
  uint64_t dropped_on_purpose = 0;       // --simulate-loss-one-in
  uint64_t migrations = 0;               // --migrate-after: moves to a new local port
  uint64_t packets_after_migration = 0;  // RTP that reached the new port
  uint64_t attack_nacks = 0;             // --nack-attack: NACK messages sent on purpose
  uint64_t attack_seqs = 0;              // and the sequence numbers they asked for
};

class Viewer final : private core::ReceiveHandler,
                     private crypto::DtlsSender,
                     private JanusObserver {
 public:
  enum class State { kIdle, kSignalling, kIce, kDtls, kMedia, kFailed, kClosed };

  Viewer(ViewerEnv& env, int index, std::string path, std::string host, uint16_t port,
         std::string target);
  ~Viewer() override;
  Viewer(const Viewer&) = delete;
  Viewer& operator=(const Viewer&) = delete;

  // Makes this a Janus streaming viewer of `mountpoint`: host/port/target name the Janus HTTP
  // API ("/janus"). Call before Start().
  void UseJanus(uint64_t mountpoint) { janus_mountpoint_ = mountpoint; }

  // Opens the socket and POSTs the offer (WHEP) or runs the Janus API (janus.h). `on_signalled`
  // runs once when the WHEP request is over (answered or failed), so the caller can bound the
  // requests in flight.
  void Start(std::function<void()> on_signalled);
  // Sends DTLS close_notify and stops receiving; counts stay readable.
  void Close();
  // Moves a viewer with media to a new local port, as a client whose address changes does (a
  // NAT rebinding, Wi-Fi to mobile, no ICE restart): a new socket, and from it a binding request
  // with USE-CANDIDATE that makes the server send there. Media, RTCP, NACKs and consent carry on
  // from the new port; what was already on its way to the old one is lost, and NACKed.
  void Migrate();

  // Periodic work from the Loadgen's timers: NACKs due now (every ~20 ms) and the receiver
  // report (every rr_interval).
  void OnNackTick(int64_t now_ns);
  void SendReceiverReport(int64_t now_ns);
  // --nack-attack, every 10 ms for the viewers it applies to: NACKs the last 1000 numbers
  // (kAll) or the same 17 numbers over and over (kRepeat), whatever arrived.
  void OnAttackTick();
  bool attacker() const {
    return env_.nack_attack != NackAttack::kNone && index_ < env_.nack_attackers;
  }

  State state() const { return state_; }
  const std::string& error() const { return error_; }
  int index() const { return index_; }
  const std::string& path() const { return path_; }
  ViewerCounts counts() const {
    ViewerCounts c = counts_;
    c.seq = seq_.counts();
    return c;
  }
  // -1 until the first packet of an IDR access unit arrived.
  double first_keyframe_ms() const { return first_keyframe_ms_; }
  bool has_missing() const { return seq_.has_missing(); }

 private:
  // viewer.cc: signalling, ICE, DTLS.
  void Fail(std::string reason);
  void OnWhepResponse(absl::StatusOr<net::http::Message> response);
  absl::Status OpenSocket();
  void SendBindingRequest();
  void OnIceTimer();
  void OnStun(std::span<const uint8_t> bytes, const sockaddr* from, socklen_t from_len);
  void StartDtls();
  void OnDtls(std::span<const uint8_t> bytes);
  void ArmDtlsTimer();
  void OnDtlsConnected();
  void SendTo(std::span<const uint8_t> bytes);
  void OnDtlsSend(std::span<const uint8_t> datagram) override;
  void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                 uint16_t bid) override;
  void OnReceiveEnd(int error) override;
  absl::StatusOr<std::string> OnJanusOffer(std::string_view sdp) override;
  void OnJanusStarted() override;
  void OnJanusFailed(std::string reason) override;
  void StartReceiving();
  void Signalled() {
    if (on_signalled_) std::exchange(on_signalled_, nullptr)();
  }

  // viewer_media.cc: the per-packet half.
  void OnRtp(std::span<uint8_t> bytes);
  void OnRtcp(std::span<uint8_t> bytes);
  void SendRtcp(std::span<uint8_t> buffer, size_t length);

  ViewerEnv& env_;
  const int index_;
  const std::string path_;
  const std::string host_;
  const uint16_t port_;
  const std::string target_;
  State state_ = State::kIdle;
  std::string error_;
  std::function<void()> on_signalled_;
  std::unique_ptr<HttpRequest> request_;
  uint64_t janus_mountpoint_ = 0;  // 0: WHEP
  std::unique_ptr<JanusSignalling> janus_;
  int64_t answer_ns_ = 0;
  WhepAnswer answer_;

  net::Fd socket_;
  net::Fd old_socket_;  // the port a migration left, open until the viewer goes
  std::unique_ptr<core::Receiver> receiver_;
  sockaddr_in server_{};
  std::string ufrag_;
  std::string pwd_;
  uint64_t tie_breaker_ = 0;
  net::stun::TransactionId pending_tid_{};
  bool ice_pending_ = false;
  int ice_attempts_ = 0;
  bool ice_done_ = false;
  core::Timer ice_timer_;

  std::unique_ptr<crypto::DtlsTransport> dtls_;
  core::Timer dtls_timer_;
  std::unique_ptr<crypto::SrtpEngine> srtp_in_;
  std::unique_ptr<crypto::SrtpEngine> srtp_out_;

  uint32_t ssrc_ = 0;  // ours, for RTCP
  uint32_t media_ssrc_ = 0;
  SeqTracker seq_;
  uint64_t sample_ = 0;
  uint64_t rtp_received_ = 0;  // for --simulate-loss-one-in
  bool keyframe_seen_ = false;
  double first_keyframe_ms_ = -1;
  uint32_t last_sr_ = 0;  // LSR of the last SR (compact NTP), 0: none yet
  int64_t last_sr_ns_ = 0;
  uint64_t rr_expected_prior_ = 0;
  uint64_t rr_received_prior_ = 0;
  uint32_t attack_base_ = 0;  // kRepeat: the first number of the NACK repeated
  ViewerCounts counts_;
};

const char* ViewerStateName(Viewer::State state);

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_VIEWER_H_
