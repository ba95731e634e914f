// History: the packets of one track, kept once for everyone who reads the track.
//
// The History is the single user-space copy of the payload (ARCHITECTURE.md, "Memory"). NACK
// retransmission, a new viewer's fast start (every packet since the last keyframe) and RTSP
// readers all read from it; no reader keeps packets of its own. The track writes each packet
// straight into the slot Append() returns, renumbering it there: one copy from the receive
// buffer, none before it.
//
// Layout: a byte ring holds the packets back to back (a packet never wraps; the tail gap is
// skipped), and an index ring maps an extended sequence number to {offset, size, flags}. Space
// is reclaimed oldest first, except that the History grows (in steps of an eighth, up to
// max_bytes) rather than evict a packet it must keep: anything since the last keyframe, and
// anything younger than retain_ns (the NACK window). It starts small, so a quiet track costs
// little, and it follows the stream's need down as well as up: four times a second, and whenever
// it must grow, it notes what it must keep, and every kNeedWindowNs, if its ring is half as large
// again as the most it had to keep over the last two windows, it shrinks to that plus an eighth.
//
// Ownership and threads: the History owns the bytes; the spans it hands out stay valid until
// the next Append on the same History. It belongs to the worker that owns its track.
#ifndef RINGCAST_RTP_HISTORY_H_
#define RINGCAST_RTP_HISTORY_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ringcast::rtp {

struct HistoryOptions {
  size_t initial_bytes = 64 << 10;
  size_t max_bytes = 8 << 20;    // webrtc.history_max_kb: past it, even kept packets go
  size_t initial_packets = 128;  // index entries; grows with the bytes
  int64_t retain_ns = 1'000'000'000;
  // The run since the last keyframe is kept only while that keyframe is younger than this
  // (webrtc.history_max_ms): a source that sends one keyframe and then none cannot make the
  // History keep everything since.
  int64_t keyframe_max_age_ns = 10'000'000'000;
};

struct HistoryPacket {
  std::span<const uint8_t> bytes;  // the whole RTP packet as readers receive it
  uint64_t seq = 0;                // extended (never wrapping) sequence number
  uint32_t timestamp = 0;
  int64_t arrival_ns = 0;
  bool keyframe = false;  // a decoder can start at this packet
  bool marker = false;
  uint16_t payload_size = 0;  // RTP payload octets, without header and padding (RFC 3550 §6.4.1)
};

class History {
 public:
  explicit History(const HistoryOptions& options = {});

  // What Append() stores about a packet besides its bytes.
  struct PacketFacts {
    uint64_t seq = 0;  // at least end_seq(); a gap is appended as nothing (Find reports it missing)
    uint32_t timestamp = 0;
    int64_t arrival_ns = 0;
    bool keyframe = false;
    bool marker = false;
    uint16_t payload_size = 0;
  };
  // Makes room for a packet of `size` bytes as `facts.seq` and returns where its bytes go: the
  // caller writes them before anything else reads the History. Empty when the packet is larger
  // than the History can ever hold, or `facts.seq` is older than what it has.
  std::span<uint8_t> Append(size_t size, const PacketFacts& facts);
  // Append, then a copy of `packet` into it. False when Append refused it.
  bool Append(std::span<const uint8_t> packet, uint64_t seq, uint32_t timestamp, int64_t now_ns,
              bool keyframe, bool marker);

  // Marks a stored packet as a keyframe start after the fact (a keyframe is only certain once a
  // later packet of the same frame confirms it).
  void MarkKeyframe(uint64_t seq);

  std::optional<HistoryPacket> Find(uint64_t seq) const;
  // Sequence numbers present: [begin_seq(), end_seq()), with holes where packets were lost.
  uint64_t begin_seq() const { return begin_seq_; }
  uint64_t end_seq() const { return end_seq_; }
  bool empty() const { return begin_seq_ == end_seq_; }
  // The newest packet a decoder can start at, if the History still has it.
  std::optional<uint64_t> last_keyframe_seq() const { return last_keyframe_seq_; }

  size_t capacity_bytes() const { return bytes_.size(); }
  size_t used_bytes() const { return used_bytes_; }
  uint64_t growths() const { return growths_; }
  uint64_t shrinks() const { return shrinks_; }
  // The most bytes it had to keep at one sample, over the last two windows (0 before a sample).
  size_t needed_bytes() const { return std::max(need_peak_, last_need_peak_); }

  static constexpr int64_t kNeedSampleNs = 250'000'000;
  static constexpr int64_t kNeedWindowNs = 10'000'000'000;
  static constexpr size_t kMinStepBytes = 16 << 10;
  uint64_t forced_evictions() const { return forced_evictions_; }  // kept packets lost to max_bytes
  // Keyframes evicted while still the newest (past max_bytes or keyframe_max_age_ns): a new
  // viewer then waits for the next keyframe.
  uint64_t keyframes_dropped() const { return keyframes_dropped_; }

 private:
  struct Entry {
    uint32_t offset = 0;
    uint16_t size = 0;  // 0: no packet (lost, or never written)
    bool keyframe = false;
    bool marker = false;
    uint32_t timestamp = 0;
    uint16_t payload_size = 0;
    int64_t arrival_ns = 0;
  };

  Entry& At(uint64_t seq) { return index_[seq & (index_.size() - 1)]; }
  const Entry& At(uint64_t seq) const { return index_[seq & (index_.size() - 1)]; }
  // Drops the oldest sequence number; false when it may not go and the History can grow.
  bool EvictOldest(int64_t now_ns, bool may_grow);
  bool MustKeep(uint64_t seq, int64_t now_ns) const;
  // Grows the byte ring and/or the index (each at most to what max_bytes allows).
  void Grow(size_t want_bytes, size_t want_packets);
  // Moves the packets, oldest first, to the start of a byte ring of `capacity` (≥ used_bytes_).
  void Relayout(size_t capacity);
  // The bytes of the packets it must keep now (a walk back from the newest).
  size_t KeptBytes(int64_t now_ns) const;
  // Samples the need; at a window's end, shrinks a ring the stream no longer fills.
  void TrackNeed(int64_t now_ns);
  // Where a packet of `size` bytes would go, or nullopt when the oldest packets are in the way.
  std::optional<uint32_t> FreeSpace(size_t size) const;

  HistoryOptions options_;
  std::vector<uint8_t> bytes_;
  std::vector<Entry> index_;
  uint64_t begin_seq_ = 0;
  uint64_t end_seq_ = 0;
  bool started_ = false;
  uint32_t write_offset_ = 0;  // where the next packet goes
  size_t used_bytes_ = 0;
  std::optional<uint64_t> last_keyframe_seq_;
  uint64_t growths_ = 0;
  uint64_t shrinks_ = 0;
  uint64_t forced_evictions_ = 0;
  uint64_t keyframes_dropped_ = 0;
  int64_t next_sample_ns_ = 0;
  int64_t window_end_ns_ = 0;
  size_t need_peak_ = 0;       // this window
  size_t last_need_peak_ = 0;  // the one before
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_HISTORY_H_
