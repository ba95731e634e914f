#include "net/webrtc/drops.h"

namespace ringcast::net::webrtc {

const core::DropCounter kUnroutedDrops(
    "webrtc_unrouted", "WebRTC port: a datagram no session claims (unknown ufrag or address)");
const core::DropCounter kUnknownPacketDrops(
    "webrtc_unknown_packet", "WebRTC port: first byte matches none of RFC 7983's ranges");
const core::DropCounter kStunRefusedDrops(
    "stun_refused", "a Binding request that failed its checks (answered 400/401/487)");
const core::DropCounter kSrtcpInvalidDrops(
    "srtcp_invalid", "SRTCP from a viewer that fails authentication or replay checks");
const core::DropCounter kSrtpInvalidDrops(
    "srtp_invalid", "SRTP from a WHIP publisher that fails authentication or replay checks");
const core::DropCounter kPublisherRtpDrops(
    "webrtc_publisher_rtp",
    "RTP from a WHIP publisher that is malformed or of an SSRC or payload type no track has");
const core::DropCounter kRtcpInvalidDrops("rtcp_invalid",
                                          "RTCP that does not parse (RFC 3550 §6.4, RFC 4585)");
const core::DropCounter kDtlsInvalidDrops("dtls_invalid",
                                          "a DTLS datagram that failed the session's handshake");
const core::DropCounter kNackTooOldDrops(
    "webrtc_nack_too_old", "a NACKed packet older than webrtc.nack_history_ms: not resent");
const core::DropCounter kNackRepeatDrops(
    "webrtc_nack_repeat", "a NACKed packet already resent within the viewer's round trip");
const core::DropCounter kNackOverBudgetDrops(
    "webrtc_nack_over_budget",
    "a NACKed packet not resent: the viewer's webrtc.nack_budget_percent was spent");
const core::DropCounter kNackCongestedDrops(
    "webrtc_nack_congested",
    "a NACK from a viewer past webrtc.nack_max_loss_percent: a keyframe was asked for instead");
const core::DropCounter kHandshakeTimeoutDrops(
    "webrtc_handshake_timeout",
    "a WHEP session ended: ICE and DTLS not done within webrtc.handshake_timeout_ms");
const core::DropCounter kPendingEvictedDrops(
    "webrtc_pending_evicted",
    "a WHEP session still in ICE or DTLS ended for a new one (webrtc.max_pending_sessions)");
const core::DropCounter kSessionsPerIpDrops("webrtc_sessions_per_ip",
                                            "a WHEP POST refused 429: webrtc.max_sessions_per_ip");
const core::DropCounter kNoSendSlotDrops("webrtc_no_send_slot",
                                         "an outgoing packet dropped: every send slot was busy");
const core::DropCounter kSendFailedDrops("webrtc_send_failed",
                                         "the kernel refused an outgoing datagram");

}  // namespace ringcast::net::webrtc
