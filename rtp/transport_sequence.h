// The transport-wide sequence number RTP header extension
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): a 16-bit counter the sender puts on
// every packet of a transport (all SSRCs share it), big-endian, in an RFC 8285 element of either
// form — one-byte (§4.2: length field 1, i.e. 2 bytes) or two-byte (§4.3: length 2). Its local id
// is whatever the SDP's a=extmap line gave the extension; the receiver records the numbers and
// their arrival times for transport-wide feedback (rtp/rtcp/transport_feedback_recorder.h).
//
// Per packet on untrusted bytes: no allocation; std::nullopt for an absent or malformed element.
// Views and values only: any thread.
#ifndef RINGCAST_RTP_TRANSPORT_SEQUENCE_H_
#define RINGCAST_RTP_TRANSPORT_SEQUENCE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/rtp_packet.h"

namespace ringcast::rtp {

inline constexpr size_t kTransportSequenceSize = 2;
// The extension's name in SDP (a=extmap:<id> <name>, RFC 8285 §8): an identifier that has the
// form of a URL, compared as a string, never fetched.
inline constexpr std::string_view kTransportSequenceUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

// The transport-wide sequence number of `packet` from the element with local id `id` (1..14 for
// the one-byte form, 1..255 for the two-byte form), or std::nullopt if the packet has no such
// element (id 0, no extension, another profile, elements malformed before it) or its data is not
// exactly 2 bytes.
std::optional<uint16_t> ReadTransportSequence(const RtpView& packet, uint8_t id);

// The same from the raw bytes of a packet (RtpView::Parse first).
std::optional<uint16_t> ReadTransportSequence(std::span<const uint8_t> packet, uint8_t id);

// Adds the element to a header being written (RtpHeaderWriter::AddExtension); false if it does
// not fit.
bool AddTransportSequence(RtpHeaderWriter& writer, uint8_t id, uint16_t seq);

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_TRANSPORT_SEQUENCE_H_
