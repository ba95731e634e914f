// RtpView: a validated, read-only view of one RTP packet (RFC 3550 §5.1), and RtpHeaderWriter,
// which writes an RTP header into an egress buffer.
//
// Ownership: an RtpView does not own or copy anything. The bytes belong to the caller (a
// receive-ring buffer, a History slot, a test's vector) and the view — and every span it hands
// out — is valid only while those bytes are, which on the data path means during the call that
// received the packet. Keep the bytes, not the view. RtpHeaderWriter likewise writes into a
// buffer the caller owns (a send slot).
//
// These run per packet on untrusted bytes: no allocation, no exceptions, no Status. Parse()
// returns std::nullopt for anything malformed and never reads outside the span it was given.
// Plain values: any thread, no shared state.
#ifndef RINGCAST_RTP_RTP_PACKET_H_
#define RINGCAST_RTP_RTP_PACKET_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ringcast::rtp {

inline constexpr size_t kRtpFixedHeaderSize = 12;
inline constexpr uint8_t kRtpVersion = 2;
// RFC 8285 §4.2 / §4.3 "defined by profile" values of the header extension.
inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // low 4 bits: appbits
inline constexpr uint16_t kTwoByteExtensionProfileMask = 0xFFF0;

// RFC 5761 §4: with rtcp-mux, RTP and RTCP share a port; a packet whose second byte, with the
// marker bit masked off, is 64..95 (RTCP packet types 192..223) is RTCP. RTP payload types in
// that range must not be used with rtcp-mux.
constexpr bool IsRtcpPacketType(uint8_t second_byte) {
  const uint8_t pt = second_byte & 0x7F;
  return pt >= 64 && pt <= 95;
}

// True if `packet` has the shape of RTCP (version 2, at least the 4-byte common header,
// IsRtcpPacketType). Only a demux decision: the RTCP parser validates the rest.
constexpr bool LooksLikeRtcp(std::span<const uint8_t> packet) {
  return packet.size() >= 4 && (packet[0] >> 6) == kRtpVersion && IsRtcpPacketType(packet[1]);
}

// One RFC 8285 header extension element: the local identifier and its data.
struct RtpExtensionElement {
  uint8_t id = 0;
  std::span<const uint8_t> data;
};

// Walks the elements of an RFC 8285 header extension block (one-byte or two-byte form),
// skipping padding bytes. A malformed element (running past the block) ends the walk and sets
// malformed(); the packet itself stays usable — only the elements are unreadable.
class RtpExtensionReader {
 public:
  RtpExtensionReader() = default;  // no elements
  RtpExtensionReader(std::span<const uint8_t> block, bool two_byte)
      : block_(block), two_byte_(two_byte) {}

  // The next element, or std::nullopt at the end (or at a malformed element).
  std::optional<RtpExtensionElement> Next();
  bool malformed() const { return malformed_; }

 private:
  std::span<const uint8_t> block_;
  size_t offset_ = 0;
  bool two_byte_ = false;
  bool malformed_ = false;
};

// A validated RTP packet. Obtain one with Parse(); see the file comment for lifetime.
class RtpView {
 public:
  // Validates RFC 3550 §5.1 and returns a view, or std::nullopt if: fewer than 12 bytes; version
  // is not 2; the CSRC list or the header extension (§5.3.1: 4-byte header + length × 4 bytes)
  // runs past the end; or the P bit is set and the last byte (the padding count, which counts
  // itself) is 0 or larger than what follows the header. A payload of 0 bytes is valid
  // (padding-only probes). Extension elements are not validated here: see extensions().
  static std::optional<RtpView> Parse(std::span<const uint8_t> packet);

  bool marker() const { return (data_[1] & 0x80) != 0; }
  uint8_t payload_type() const { return data_[1] & 0x7F; }
  uint16_t sequence_number() const;
  uint32_t timestamp() const;
  uint32_t ssrc() const;

  size_t csrc_count() const { return data_[0] & 0x0F; }
  // The i-th contributing source; i < csrc_count() (a caller bug otherwise: DCHECK).
  uint32_t csrc(size_t i) const;
  // The raw CSRC list, csrc_count() × 4 bytes in network order.
  std::span<const uint8_t> csrc_bytes() const {
    return {data_ + kRtpFixedHeaderSize, 4 * csrc_count()};
  }

  bool has_extension() const { return (data_[0] & 0x10) != 0; }
  // The 16-bit "defined by profile" field; 0 without an extension.
  uint16_t extension_profile() const { return extension_profile_; }
  // The extension data after its 4-byte header (length × 4 bytes); empty without one.
  std::span<const uint8_t> extension_data() const {
    return {data_ + extension_offset_, extension_size_};
  }
  bool has_one_byte_extensions() const {
    return has_extension() && extension_profile_ == kOneByteExtensionProfile;
  }
  bool has_two_byte_extensions() const {
    return has_extension() &&
           (extension_profile_ & kTwoByteExtensionProfileMask) == kTwoByteExtensionProfile;
  }
  // The RFC 8285 elements; empty for no extension or an extension of another profile.
  RtpExtensionReader extensions() const;
  // The data of the first element with local id `id` (1..14 one-byte, 1..255 two-byte), or
  // std::nullopt if absent (or the elements are malformed before it).
  std::optional<std::span<const uint8_t>> FindExtension(uint8_t id) const;

  // 12 + CSRCs + extension: where the payload starts.
  size_t header_size() const { return header_size_; }
  // The payload without padding.
  std::span<const uint8_t> payload() const { return {data_ + header_size_, payload_size_}; }
  bool has_padding() const { return (data_[0] & 0x20) != 0; }
  // Padding bytes at the end including the count byte itself; 0 when the P bit is clear.
  size_t padding_size() const { return padding_size_; }
  // The whole packet as given to Parse().
  std::span<const uint8_t> packet() const { return {data_, size_}; }

 private:
  RtpView() = default;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t header_size_ = 0;
  size_t payload_size_ = 0;
  size_t padding_size_ = 0;
  size_t extension_offset_ = 0;
  size_t extension_size_ = 0;
  uint16_t extension_profile_ = 0;
};

// The fixed-header fields a sender chooses per packet.
struct RtpHeaderFields {
  bool marker = false;
  uint8_t payload_type = 0;  // 0..127
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

// Writes an RTP header — the 12 fixed bytes, optionally followed by RFC 8285 header extension
// elements — at the start of a caller's buffer; the payload then goes at out[size()].
// Version 2, no padding, no CSRCs. Nothing is allocated; the writer refers to `out` until
// Finish().
//
//   RtpHeaderWriter w(slot, {.marker = m, .payload_type = 102, .sequence_number = seq,
//                            .timestamp = ts, .ssrc = ssrc});
//   w.AddExtension(kMidId, mid_bytes);
//   size_t header_size = w.Finish();  // 0: the slot was too small
class RtpHeaderWriter {
 public:
  // Writes the fixed header now; ok() is false if `out` is shorter than 12 bytes or the
  // payload type is above 127.
  RtpHeaderWriter(std::span<uint8_t> out, const RtpHeaderFields& fields);

  // Selects the two-byte element form (RFC 8285 §4.3) for this header; call before the first
  // AddExtension(). Without it the one-byte form (§4.2) is used.
  void UseTwoByteExtensions();

  // Appends one extension element. One-byte form: id 1..14, 1..16 bytes of data; two-byte
  // form: id 1..255, 0..255 bytes. Returns false and writes nothing if the element does not fit
  // the form or the buffer.
  bool AddExtension(uint8_t id, std::span<const uint8_t> data);

  // Pads the extension block with zero bytes to a multiple of 4, writes its length and returns
  // the header size (12 without extensions); 0 if the header did not fit (!ok()).
  size_t Finish();

  bool ok() const { return ok_; }

 private:
  std::span<uint8_t> out_;
  size_t size_ = 0;             // bytes written so far
  size_t extension_start_ = 0;  // offset of the 4-byte extension header; 0 if none yet
  bool two_byte_ = false;
  bool ok_ = false;
  bool finished_ = false;
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_RTP_PACKET_H_
