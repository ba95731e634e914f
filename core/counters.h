// Drop counters: every packet or request that ringcast throws away is counted under a named
// reason, visible as stats.drops.REASON in ringcastctl and as ringcast_drops_total{reason=…}
// in /metrics. Drops are rare by nature, so one process-wide relaxed atomic per reason is
// enough; any thread may count or read.
#ifndef RINGCAST_CORE_COUNTERS_H_
#define RINGCAST_CORE_COUNTERS_H_

#include <atomic>
#include <cstdint>
#include <string_view>

namespace ringcast::core {

// Add a reason here and a name in counters.cc; names are the stats key suffixes.
enum class DropReason : uint16_t {
  kRxNoBuffers,             // a multishot receive ran out of ring buffers (re-armed; not data loss)
  kRxTruncated,             // a datagram larger than a ring buffer
  kCtlBadRequest,           // malformed control-socket request
  kCtlLineTooLong,          // control-socket request line over the limit
  kHttpBadRequest,          // malformed HTTP request (answered 4xx, connection closed)
  kHttpTooManyConnections,  // connection refused: over the per-listener limit
  kRtspBadRequest,          // malformed RTSP message (answered 4xx, connection closed)
  kRtpInvalid,              // an RTP packet that fails RFC 3550 validation
  kRtspBadChannel,          // an interleaved frame on a channel no SETUP agreed on
  kRtpUnrouted,             // a UDP datagram from an address no session set up
  kWebrtcUnrouted,          // WebRTC port: a datagram no session claims (unknown ufrag/address)
  kWebrtcUnknownPacket,     // WebRTC port: first byte matches none of RFC 7983's ranges
  kStunRefused,             // a Binding request that failed its checks (answered 400/401/487)
  kSrtcpInvalid,            // SRTCP from a viewer that fails authentication or replay checks
  kRtcpInvalid,             // RTCP that does not parse (RFC 3550 §6.4, RFC 4585)
  kDtlsInvalid,             // a DTLS datagram that failed the session's handshake
  kWebrtcNoSendSlot,        // an outgoing packet dropped: every send slot was busy
  kWebrtcSendFailed,        // the kernel refused an outgoing datagram
  kCount,
};

std::string_view DropReasonName(DropReason reason);

void CountDrop(DropReason reason, uint64_t n = 1);
uint64_t DropCount(DropReason reason);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_COUNTERS_H_
