// WebRtcSession: one WebRTC peer of one path — its ICE-lite checks, DTLS handshake and SRTP
// contexts — as one of two roles:
//   - a WHEP viewer: a TrackSender per answered track, and the RTCP it sends (SR, SDES, BYE) and
//     reads (RR, NACK, PLI, FIR);
//   - a WHIP publisher: the path's publisher; its RTP goes through a PublisherIngest (NACK,
//     reordering, transport-cc, RR) into the path's tracks, and keyframe requests of the path's
//     readers go to it as PLI.
//
//   port datagram ─▶ WebRtcServer::Demux (RFC 7983) ─▶ OnStun / OnDtls / OnSrtcp (SRTCP, and
//   a publisher's SRTP ─▶ PublisherIngest ─▶ Track::Ingest)
//   track packet ─▶ OnTrackPacket ─▶ TrackSender::Next (what is due) ─▶ SendMedia: header
//   rewrite into a send slot, SRTP in place ─▶ UdpEgress (flushed with GSO at the end of the
//   batch)
//
// Life: created by the WHEP or WHIP POST with the answer already built; media flows once a Binding
// request has nominated an address and DTLS has exported the SRTP keys. It ends on DELETE, when
// its path goes, after webrtc.session_timeout_ms without a valid Binding request (consent,
// RFC 7675), webrtc.handshake_timeout_ms after the POST if ICE and DTLS are not done by then,
// when DTLS fails or the viewer closes (close_notify, RTCP BYE). Ending tells the
// host, which deletes the session later on the same worker (never from inside its own calls).
//
// Ownership and threads: owned by the WebRtcServer of its worker; worker thread only.
#ifndef RINGCAST_NET_WEBRTC_SESSION_H_
#define RINGCAST_NET_WEBRTC_SESSION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/ring.h"
#include "crypto/dtls.h"
#include "crypto/srtp.h"
#include "net/socket.h"
#include "net/stun/ice_lite.h"
#include "net/webrtc/answer.h"
#include "net/webrtc/egress.h"
#include "net/webrtc/publish_answer.h"
#include "net/webrtc/publisher_ingest.h"
#include "net/webrtc/retransmit_budget.h"
#include "net/webrtc/settings.h"
#include "net/webrtc/track_sender.h"
#include "rtp/hub/path_hub.h"
#include "rtp/rtcp/compound.h"
#include "rtp/track.h"

namespace ringcast::net::webrtc {

// Figures of one session, copied into the stats snapshot once a second.
struct SessionStats {
  uint64_t packets_out = 0;
  uint64_t bytes_out = 0;  // SRTP bytes handed to the egress
  uint64_t nacks = 0;      // sequence numbers viewers asked for
  uint64_t retransmits = 0;
  uint64_t nack_misses = 0;       // asked for, but no longer (or never) in the History
  uint64_t retransmit_bytes = 0;  // SRTP bytes of the retransmissions
  // NACKed numbers not resent, by why (RetransmitBudget, webrtc.nack_max_loss_percent).
  uint64_t nack_too_old = 0;      // older than the NACK window
  uint64_t nack_repeats = 0;      // resent within the last round trip already
  uint64_t nack_over_budget = 0;  // the viewer's retransmission budget was spent
  uint64_t nack_congested = 0;    // the viewer's loss was past the limit
  uint64_t plis = 0;
  uint64_t firs = 0;
  uint64_t rtcp_in = 0;
  uint64_t catch_up_packets = 0;
  double rtt_ms = -1;        // from the last RR's LSR/DLSR; -1 until known
  double fraction_lost = 0;  // last RR, 0..1
  int64_t packets_lost = 0;  // cumulative, from RRs
  double jitter_ms = 0;      // last RR
  bool congested = false;    // loss past webrtc.nack_max_loss_percent in the last 3 RRs
};

class WebRtcSession;

// What a session needs from its server.
class SessionHost {
 public:
  virtual UdpEgress& egress() = 0;
  virtual const SessionSettings& settings() const = 0;
  // Datagrams from `address` belong to `session` from now on.
  virtual void OnSessionAddress(WebRtcSession& session, const SocketAddress& address) = 0;
  // DTLS-SRTP is up: media flows from now on.
  virtual void OnSessionReady(WebRtcSession& session) = 0;
  // The session is over; the host deletes it soon, outside the session's own calls.
  virtual void OnSessionEnded(WebRtcSession& session) = 0;

 protected:
  ~SessionHost() = default;
};

class WebRtcSession final : public rtp::TrackReader,
                            public rtp::hub::PathClient,
                            private crypto::DtlsSender,
                            private PublisherIngest::Output {
 public:
  // A viewer. `tracks[i]` is the stream track for answer.tracks[i].
  WebRtcSession(std::string id, SessionHost& host, core::Ring& ring, rtp::hub::PathHub& hub,
                rtp::hub::Path& path, std::string peer, const Answer& answer,
                stun::IceCredentials local, std::vector<rtp::Track*> tracks);
  // A publisher: the caller has made it the path's publisher with the answer's tracks, in order.
  WebRtcSession(std::string id, SessionHost& host, core::Ring& ring, rtp::hub::PathHub& hub,
                rtp::hub::Path& path, std::string peer, const PublishAnswer& answer,
                stun::IceCredentials local);
  ~WebRtcSession() override;

  // Sets up the DTLS side (our role and the viewer's a=fingerprint, from the answer).
  absl::Status InitDtls(crypto::DtlsContext& context, crypto::DtlsRole role,
                        const std::string& fingerprint_hash, const std::string& fingerprint);
  // The same from the offer's side of the answer (passive: we are the DTLS server).
  absl::Status InitDtls(crypto::DtlsContext& context, const RemoteTransport& remote) {
    return InitDtls(context,
                    remote.setup == AnswerSetup::kPassive ? crypto::DtlsRole::kServer
                                                          : crypto::DtlsRole::kClient,
                    remote.fingerprint_hash, remote.fingerprint);
  }

  const std::string& id() const { return id_; }
  const std::string& path_name() const { return path_name_; }
  const std::string& local_ufrag() const { return ice_.local().ufrag; }
  const std::string& peer() const { return peer_; }
  bool ended() const { return ended_; }
  bool media_ready() const { return media_ready_; }
  const std::string& end_reason() const { return end_reason_; }
  bool publisher() const { return ingest_ != nullptr; }
  // A publisher's figures; nullopt for a viewer.
  std::optional<IngestStats> ingest_stats() const {
    return ingest_ ? std::optional<IngestStats>(ingest_->stats()) : std::nullopt;
  }

  // From the port, after the RFC 7983 demux. The bytes are the receive buffer's (mutable: SRTCP
  // is unprotected in place) and valid during the call only.
  void OnStun(std::span<const uint8_t> bytes, const SocketAddress& from);
  void OnDtls(std::span<const uint8_t> bytes);
  void OnSrtcp(std::span<uint8_t> bytes);

  // Ends the session (DELETE, shutdown): BYE and close_notify if media was flowing.
  void End(std::string_view reason);

  const SessionStats& stats() const { return stats_; }
  std::string_view ice_state() const;
  std::string_view dtls_state() const;
  std::string_view srtp_profile() const;
  int64_t created_ns() const { return created_ns_; }

  // rtp::TrackReader
  void OnTrackPacket(rtp::Track& track, const rtp::HistoryPacket& packet) override;
  // rtp::hub::PathClient
  void OnPathGone(std::string_view reason) override;
  bool RequestKeyframe(size_t track) override;

 private:
  WebRtcSession(std::string id, SessionHost& host, core::Ring& ring, rtp::hub::PathHub& hub,
                rtp::hub::Path& path, std::string peer, stun::IceCredentials local);

  struct SendTrack {
    rtp::Track* track = nullptr;
    std::unique_ptr<TrackSender> sender;
    AnsweredTrack answer;
    RecentResends resent;
  };

  // crypto::DtlsSender
  void OnDtlsSend(std::span<const uint8_t> datagram) override;
  // PublisherIngest::Output
  void Deliver(size_t track, const rtp::RtpView& packet, int64_t now_ns) override;
  void SendRtcp(std::span<const uint8_t> rtcp) override;
  // A publisher's SRTP packet.
  void OnSrtp(std::span<uint8_t> bytes);
  void OnIngestTick();
  // Sends what `send`'s TrackSender says is due now, and arms the catch-up timer for the rest.
  void SendDue(SendTrack& send, int64_t now_ns, const rtp::HistoryPacket* appended);
  // One packet of `send`'s track, renumbered for this viewer and protected into a send slot;
  // false when it could not be queued (no slot, SRTP refused it).
  bool SendMedia(const SendTrack& send, const Outgoing& out);
  // Answers a NACK for `seq` of `send`'s track within the retransmission budget.
  void Resend(SendTrack& send, uint16_t seq, int64_t now_ns);
  // A receiver report's loss: enters or leaves the congested state.
  void OnReportedLoss(double fraction_lost);

  void OnDtlsConnected();
  void PumpTracks();
  void SendSenderReports();
  void HandleRtcpBlock(const rtp::rtcp::Block& block, int64_t now_ns);
  SendTrack* TrackBySsrc(uint32_t ssrc);
  // A viewer's PLI/FIR for our SSRC `ssrc`: to the path's source.
  void RequestSourceKeyframe(uint32_t ssrc);
  void ArmDtlsTimer();
  void CheckConsent();
  void Detach();

  std::string id_;
  SessionHost& host_;
  core::Ring& ring_;
  rtp::hub::PathHub& hub_;
  rtp::hub::Path* path_;
  std::string path_name_;
  std::string peer_;  // the WHEP client's HTTP address, for log lines
  std::string cname_;
  stun::IceLiteAgent ice_;
  std::unique_ptr<crypto::DtlsTransport> dtls_;
  std::unique_ptr<crypto::SrtpEngine> srtp_out_;
  std::unique_ptr<crypto::SrtpEngine> srtp_in_;
  std::vector<SendTrack> tracks_;            // a viewer's
  std::unique_ptr<PublisherIngest> ingest_;  // a publisher's
  UdpEgress::Destination destination_;
  bool nominated_ = false;
  bool media_ready_ = false;
  bool ended_ = false;
  std::string end_reason_;
  int64_t created_ns_ = 0;
  int64_t last_consent_ns_ = 0;
  uint32_t rtcp_ssrc_ = 0;  // our receiver-side SSRC (first track's)
  core::Timer dtls_timer_;
  core::Timer sr_timer_;
  core::Timer pump_timer_;
  core::Timer consent_timer_;
  core::Timer ingest_timer_;
  SessionStats stats_;
  RetransmitBudget budget_;
  int64_t budget_updated_ns_ = 0;
  int high_loss_reports_ = 0;  // consecutive RRs with loss past the limit
  core::LogRateLimiter log_limiter_;
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_SESSION_H_
