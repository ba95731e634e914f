// What the WebRTC server drops, by reason (stats.drops.NAME; core/drop_counter.h).
#ifndef RINGCAST_NET_WEBRTC_DROPS_H_
#define RINGCAST_NET_WEBRTC_DROPS_H_

#include "core/drop_counter.h"

namespace ringcast::net::webrtc {

extern const core::DropCounter kUnroutedDrops;          // a datagram no session claims
extern const core::DropCounter kUnknownPacketDrops;     // first byte in none of RFC 7983's ranges
extern const core::DropCounter kStunRefusedDrops;       // a Binding request that failed its checks
extern const core::DropCounter kSrtcpInvalidDrops;      // SRTCP failing authentication or replay
extern const core::DropCounter kSrtpInvalidDrops;       // a publisher's SRTP failing its checks
extern const core::DropCounter kPublisherRtpDrops;      // a publisher's RTP no track takes
extern const core::DropCounter kRtcpInvalidDrops;       // RTCP that does not parse
extern const core::DropCounter kDtlsInvalidDrops;       // DTLS that failed the session's handshake
extern const core::DropCounter kNackTooOldDrops;        // NACKed packet older than the NACK window
extern const core::DropCounter kNackRepeatDrops;        // NACKed packet resent within the RTT
extern const core::DropCounter kNackOverBudgetDrops;    // NACK past the viewer's budget
extern const core::DropCounter kNackCongestedDrops;     // NACK from a viewer with too much loss
extern const core::DropCounter kHandshakeTimeoutDrops;  // WHEP session never connected
extern const core::DropCounter kPendingEvictedDrops;    // pending session ended for a new one
extern const core::DropCounter kSessionsPerIpDrops;     // WHEP POST past the per-address limit
extern const core::DropCounter kNoSendSlotDrops;        // outgoing packet: every send slot busy
extern const core::DropCounter kSendFailedDrops;        // outgoing datagram the kernel refused

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_DROPS_H_
