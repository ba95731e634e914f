// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1): RTPFB FMT 15, the message a receiver sends so that the sender's bandwidth estimator sees
// when each packet (numbered by the transport-wide sequence number header extension, see
// rtp/transport_sequence.h) arrived, or that it did not.
//
//   header (12) | base seq (16) | status count (16) | reference time (24) | fb pkt count (8)
//   | packet chunks, 2 bytes each | receive deltas, 1 or 2 bytes each | zero padding
//
// Each packet from the base sequence number on has a status symbol: 0 not received, 1 received
// with a small delta (1 byte, 0..255 × 250 µs), 2 received with a large or negative delta
// (2 bytes, signed, × 250 µs); 3 is reserved. Symbols are packed into chunks: a run-length chunk
// (bit 15 = 0: a 2-bit symbol and a 13-bit run length) or a status vector chunk (bit 15 = 1; bit
// 14 = 0: 14 one-bit symbols, 0 or 1; bit 14 = 1: 7 two-bit symbols), first symbol in the high
// bits. The first received packet's delta is counted from the reference time (× 64 ms), every
// later one from the previous received packet. A vector chunk may hold more symbols than remain:
// those past the status count are ignored. The message is padded to 32 bits with zero bytes
// after the deltas, without the RTCP P bit (§3.1's figure), so it may stand anywhere in a
// compound packet: RFC 3550 allows the P bit only on the last one.
//
// TransportFeedbackView / TransportFeedbackReader parse a received message (untrusted bytes:
// std::nullopt for anything malformed, nothing read outside the block; views valid while the
// block's bytes are). TransportFeedbackBuilder encodes one message; its storage is sized once by
// the largest message it may build, so adding packets and writing allocate nothing. The
// recorder that decides what to report lives in transport_feedback_recorder.h. Builder: one
// owner, one thread; views: any thread.
#ifndef RINGCAST_RTP_RTCP_TRANSPORT_FEEDBACK_H_
#define RINGCAST_RTP_RTCP_TRANSPORT_FEEDBACK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {

inline constexpr uint8_t kFmtTransportFeedback = 15;  // RTPFB
// Receive deltas count 250 µs ticks; the reference time counts 64 ms (256 ticks).
inline constexpr int64_t kTransportDeltaTickNs = 250'000;
inline constexpr int64_t kTransportReferenceTicks = 256;
// Common feedback header (12) + base seq, status count, reference time, feedback count (8).
inline constexpr size_t kTransportFeedbackHeaderSize = 20;
// A message reports at most this many packets (the 16-bit status count).
inline constexpr size_t kTransportFeedbackMaxStatuses = 0xFFFF;
// The smallest max_size a builder accepts: the header, one chunk, one large delta, padded.
inline constexpr size_t kTransportFeedbackMinSize = 24;

// Status symbols (§3.1.1).
inline constexpr uint8_t kStatusNotReceived = 0;
inline constexpr uint8_t kStatusSmallDelta = 1;
inline constexpr uint8_t kStatusLargeDelta = 2;

// One packet of a parsed message, in sequence order.
struct TransportFeedbackPacket {
  uint16_t seq = 0;
  bool received = false;
  // Received only: the delta as sent, in 250 µs ticks (from the reference time for the first
  // received packet, from the previous received one otherwise), and the arrival time it gives,
  // in ticks since the reference time's zero (reference time × 256 + the deltas so far).
  int32_t delta_ticks = 0;
  int64_t arrival_ticks = 0;

  friend bool operator==(const TransportFeedbackPacket&, const TransportFeedbackPacket&) = default;
};

class TransportFeedbackReader;

// A validated transport-wide feedback message: RTPFB FMT 15, a status count of at least 1,
// chunks for every status without a reserved symbol (3), and every receive delta present. Bytes
// after the last delta (zero padding) are allowed and ignored; so is RTCP padding (the P bit).
class TransportFeedbackView {
 public:
  static std::optional<TransportFeedbackView> Parse(const Block& block);

  uint32_t sender_ssrc() const;
  uint32_t media_ssrc() const;
  uint16_t base_seq() const;
  uint16_t status_count() const;
  // 24 bits, units of 64 ms, in the feedback sender's own time base (wraps).
  uint32_t reference_time() const;
  uint8_t feedback_count() const;
  // How many of the statuses say received.
  size_t received_count() const { return received_count_; }
  TransportFeedbackReader packets() const;

 private:
  TransportFeedbackView(std::span<const uint8_t> fci, size_t chunk_bytes, size_t received)
      : fci_(fci), chunk_bytes_(chunk_bytes), received_count_(received) {}

  std::span<const uint8_t> fci_;  // after the two SSRCs
  size_t chunk_bytes_ = 0;        // the packet chunks (receive deltas follow)
  size_t received_count_ = 0;
};

// Visits the packets of a view, status_count() of them, in sequence order.
class TransportFeedbackReader {
 public:
  std::optional<TransportFeedbackPacket> Next();

 private:
  friend class TransportFeedbackView;
  TransportFeedbackReader(std::span<const uint8_t> chunks, std::span<const uint8_t> deltas,
                          uint16_t base_seq, uint16_t count, int64_t reference_ticks)
      : chunks_(chunks),
        deltas_(deltas),
        seq_(base_seq),
        left_(count),
        arrival_ticks_(reference_ticks) {}
  uint8_t NextSymbol();

  std::span<const uint8_t> chunks_;
  std::span<const uint8_t> deltas_;
  uint16_t seq_ = 0;
  uint32_t left_ = 0;         // statuses not yet visited
  uint16_t chunk_ = 0;        // the chunk being read
  uint32_t chunk_left_ = 0;   // its symbols not yet read
  uint32_t chunk_index_ = 0;  // symbols of it already read
  size_t next_chunk_ = 0;     // byte offset of the next chunk
  size_t delta_offset_ = 0;
  int64_t arrival_ticks_ = 0;
};

// Packs the status symbols of one message into chunks as they are added: symbols collect in a
// pending group that always encodes as one chunk (all the same: run length; up to 14 of 0/1:
// one-bit vector; up to 7 otherwise: two-bit vector); a symbol the group cannot take first
// flushes it (a run, a full one-bit vector, or the first 7 as a two-bit vector). Every chunk but
// the last is therefore full. Used by TransportFeedbackBuilder; a plain value, copied to try an
// addition before keeping it.
class StatusChunkEncoder {
 public:
  // Emitted chunks go to `chunks` (owned by the caller, big enough for every chunk of a message).
  explicit StatusChunkEncoder(uint16_t* chunks) : chunks_(chunks) {}

  void Add(uint8_t symbol);
  // Chunks the symbols so far take, the pending group included.
  size_t chunk_count() const { return emitted_ + (size_ > 0 ? 1 : 0); }
  // Writes every chunk, big-endian, at `out` (2 × chunk_count() bytes).
  void WriteTo(uint8_t* out) const;

 private:
  static constexpr size_t kMaxRun = 0x1FFF;
  static constexpr size_t kOneBitCapacity = 14;
  static constexpr size_t kTwoBitCapacity = 7;

  bool CanAdd(uint8_t symbol) const;
  void Emit();
  uint16_t EncodePending() const;  // the pending group as one chunk (size_ > 0)

  uint16_t* chunks_;
  size_t emitted_ = 0;
  uint8_t pending_[kOneBitCapacity] = {};  // the first min(size_, 14) symbols of the group
  size_t size_ = 0;
  bool all_same_ = true;
  bool has_large_ = false;
};

// Builds one transport-wide feedback message:
//
//   builder.Reset(base_seq, first_arrival_ns, feedback_count);
//   while (builder.AddReceived(seq, arrival_ns)) ...;   // false: it did not fit, not added
//   size_t n = builder.Write(out, sender_ssrc, media_ssrc);
//
// Arrival times are CLOCK_MONOTONIC nanoseconds (any clock that does not go backwards between
// messages); they are turned into 250 µs ticks (floor) before the deltas are taken, so rounding
// does not accumulate. The reference time is the first arrival's tick count / 256 (floor), so the
// first delta is 0..255 ticks. Packets between added ones are reported not received.
class TransportFeedbackBuilder {
 public:
  // `max_size`: the largest message Write may produce (rounded down to a multiple of 4; at least
  // kTransportFeedbackMinSize, at most 65536 × 4). Allocates the chunk and delta storage once.
  explicit TransportFeedbackBuilder(size_t max_size);

  // Starts an empty message.
  void Reset(uint16_t base_seq, int64_t first_arrival_ns, uint8_t feedback_count);
  // Adds the received packet `seq`: it must come after the last one added (wrap-aware, within
  // the 16-bit status count of the base) and its delta must fit 16 signed bits, and the message
  // must stay within max_size. Otherwise returns false and the message is unchanged.
  bool AddReceived(uint16_t seq, int64_t arrival_ns);

  // Statuses so far (received and not received); 0 after Reset.
  size_t status_count() const { return status_count_; }
  // The size Write produces now (a multiple of 4, zero padding included).
  size_t size() const;
  size_t max_size() const { return max_size_; }
  // Writes the message; returns its size, or 0 if it is empty or `out` is too small.
  size_t Write(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc) const;

 private:
  size_t max_size_;
  std::vector<uint16_t> chunk_storage_;
  std::vector<uint8_t> deltas_;  // the receive deltas, encoded
  StatusChunkEncoder encoder_;
  size_t delta_bytes_ = 0;
  size_t status_count_ = 0;
  uint16_t base_seq_ = 0;
  uint32_t reference_time_ = 0;  // 24 bits
  uint8_t feedback_count_ = 0;
  int64_t last_ticks_ = 0;  // arrival of the last received packet added (reference at first)
};

// Arrival nanoseconds → 250 µs ticks, rounded towards minus infinity.
int64_t TransportTicks(int64_t arrival_ns);

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_TRANSPORT_FEEDBACK_H_
