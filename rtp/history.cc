#include "rtp/history.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ringcast::rtp {

History::History(const HistoryOptions& options) : options_(options) {
  bytes_.resize(std::max<size_t>(options_.initial_bytes, 2048));
  index_.resize(std::bit_ceil(std::max<size_t>(options_.initial_packets, 16)));
}

bool History::MustKeep(uint64_t seq, int64_t now_ns) const {
  if (last_keyframe_seq_ && seq >= *last_keyframe_seq_ &&
      now_ns - At(*last_keyframe_seq_).arrival_ns < options_.keyframe_max_age_ns) {
    return true;
  }
  return now_ns - At(seq).arrival_ns < options_.retain_ns;
}

bool History::EvictOldest(int64_t now_ns, bool may_grow) {
  if (empty()) return true;
  uint64_t seq = begin_seq_;
  Entry& entry = At(seq);
  if (entry.size > 0 && MustKeep(seq, now_ns)) {
    if (may_grow && bytes_.size() < options_.max_bytes) return false;
    ++forced_evictions_;
  }
  used_bytes_ -= entry.size;
  entry = Entry{};
  if (last_keyframe_seq_ == seq) {
    last_keyframe_seq_.reset();
    ++keyframes_dropped_;
  }
  ++begin_seq_;
  while (begin_seq_ < end_seq_ && At(begin_seq_).size == 0) ++begin_seq_;
  return true;
}

std::optional<uint32_t> History::FreeSpace(size_t size) const {
  if (used_bytes_ == 0) return 0;
  uint32_t oldest = At(begin_seq_).offset;
  size_t capacity = bytes_.size();
  if (write_offset_ > oldest) {  // live bytes in one run: [oldest, write_offset_)
    if (capacity - write_offset_ >= size) return write_offset_;
    if (oldest >= size) return 0;  // skip the tail gap and wrap
    return std::nullopt;
  }
  // Wrapped: free bytes are [write_offset_, oldest); equal means full.
  if (oldest - write_offset_ >= size) return write_offset_;
  return std::nullopt;
}

void History::Grow(size_t want_bytes, size_t want_packets) {
  size_t capacity = std::min(options_.max_bytes, std::max(bytes_.size(), want_bytes));
  size_t packets = std::bit_ceil(std::max(index_.size(), want_packets));
  if (capacity > bytes_.size()) {
    Relayout(capacity);
    // At least one index entry per 1 KiB, so small packets don't run the index out first.
    packets = std::max(packets, std::bit_ceil(capacity / 1024));
  }
  if (packets > index_.size()) {
    std::vector<Entry> index(packets);
    for (uint64_t seq = begin_seq_; seq < end_seq_; ++seq) index[seq & (packets - 1)] = At(seq);
    index_.swap(index);
  }
  ++growths_;
}

void History::Relayout(size_t capacity) {
  std::vector<uint8_t> bytes(capacity);
  uint32_t offset = 0;
  for (uint64_t seq = begin_seq_; seq < end_seq_; ++seq) {
    Entry& entry = At(seq);
    if (entry.size == 0) continue;
    std::memcpy(bytes.data() + offset, bytes_.data() + entry.offset, entry.size);
    entry.offset = offset;
    offset += entry.size;
  }
  bytes_.swap(bytes);
  write_offset_ = offset;
}

size_t History::KeptBytes(int64_t now_ns) const {
  size_t kept = 0;
  for (uint64_t seq = end_seq_; seq > begin_seq_; --seq) {
    const Entry& entry = At(seq - 1);
    if (entry.size == 0) continue;  // a hole keeps nothing
    if (!MustKeep(seq - 1, now_ns)) break;
    kept += entry.size;
  }
  return kept;
}

void History::TrackNeed(int64_t now_ns) {
  next_sample_ns_ = now_ns + kNeedSampleNs;
  need_peak_ = std::max(need_peak_, KeptBytes(now_ns));
  if (window_end_ns_ == 0) window_end_ns_ = now_ns + kNeedWindowNs;
  if (now_ns < window_end_ns_) return;
  const size_t need = needed_bytes();
  last_need_peak_ = need_peak_;
  need_peak_ = 0;
  window_end_ns_ = now_ns + kNeedWindowNs;
  // Half as large again as the need: shrink to the need and one growth step, never below the
  // starting size. Packets that may go make room first; a keeper in the way calls it off (it
  // cannot be, as what must stay now is part of the need, but nothing kept is ever lost here).
  const size_t target =
      std::max(std::max<size_t>(options_.initial_bytes, 2048), need + need / 8 + kMinStepBytes);
  if (need == 0 || bytes_.size() <= need + need / 2 + kMinStepBytes || target >= bytes_.size()) {
    return;
  }
  while (used_bytes_ > target) {
    if (At(begin_seq_).size > 0 && MustKeep(begin_seq_, now_ns)) return;
    EvictOldest(now_ns, false);
  }
  Relayout(target);
  ++shrinks_;
}

bool History::Append(std::span<const uint8_t> packet, uint64_t seq, uint32_t timestamp,
                     int64_t now_ns, bool keyframe, bool marker) {
  std::span<uint8_t> slot = Append(packet.size(), {.seq = seq,
                                                   .timestamp = timestamp,
                                                   .arrival_ns = now_ns,
                                                   .keyframe = keyframe,
                                                   .marker = marker,
                                                   .payload_size = 0});
  if (slot.empty()) return false;
  std::memcpy(slot.data(), packet.data(), packet.size());
  return true;
}

std::span<uint8_t> History::Append(size_t size, const PacketFacts& facts) {
  const uint64_t seq = facts.seq;
  const int64_t now_ns = facts.arrival_ns;
  if (size == 0 || size > 65535 || size > options_.max_bytes / 2) return {};
  if (!started_) {
    begin_seq_ = end_seq_ = seq;
    started_ = true;
  }
  if (seq < end_seq_) return {};  // the caller keeps sequence numbers increasing
  if (now_ns >= next_sample_ns_) TrackNeed(now_ns);
  if (seq - end_seq_ >= index_.size()) {
    // A jump wider than the whole index: nothing older is worth keeping next to it.
    while (!empty()) EvictOldest(now_ns, false);
    begin_seq_ = end_seq_ = seq;
  }
  for (; end_seq_ < seq; ++end_seq_) At(end_seq_) = Entry{};  // lost packets: holes
  if (empty()) begin_seq_ = seq;

  // An index slot for `seq`: it must not alias a packet still kept.
  while (seq - begin_seq_ >= index_.size()) {
    if (!EvictOldest(now_ns, true)) Grow(bytes_.size(), index_.size() * 2);
  }
  // Bytes for the packet.
  std::optional<uint32_t> offset;
  while (!(offset = FreeSpace(size))) {
    // Steps of an eighth: a History is sized by its stream's bitrate × the time it keeps, and a
    // step is slack that stays resident until the next window's shrink.
    if (!EvictOldest(now_ns, true)) {
      // The oldest packet must stay, so every packet after it must too: this is the need now.
      need_peak_ = std::max(need_peak_, used_bytes_ + size);
      Grow(bytes_.size() + std::max(bytes_.size() / 8, kMinStepBytes), index_.size());
    }
  }
  At(seq) = Entry{.offset = *offset,
                  .size = static_cast<uint16_t>(size),
                  .keyframe = facts.keyframe,
                  .marker = facts.marker,
                  .timestamp = facts.timestamp,
                  .payload_size = facts.payload_size,
                  .arrival_ns = now_ns};
  write_offset_ = *offset + static_cast<uint32_t>(size);
  used_bytes_ += size;
  end_seq_ = seq + 1;
  if (facts.keyframe) last_keyframe_seq_ = seq;
  return {bytes_.data() + *offset, size};
}

void History::MarkKeyframe(uint64_t seq) {
  if (seq < begin_seq_ || seq >= end_seq_ || At(seq).size == 0) return;
  At(seq).keyframe = true;
  if (!last_keyframe_seq_ || seq > *last_keyframe_seq_) last_keyframe_seq_ = seq;
}

std::optional<HistoryPacket> History::Find(uint64_t seq) const {
  if (seq < begin_seq_ || seq >= end_seq_) return std::nullopt;
  const Entry& entry = At(seq);
  if (entry.size == 0) return std::nullopt;
  return HistoryPacket{.bytes = {bytes_.data() + entry.offset, entry.size},
                       .seq = seq,
                       .timestamp = entry.timestamp,
                       .arrival_ns = entry.arrival_ns,
                       .keyframe = entry.keyframe,
                       .marker = entry.marker,
                       .payload_size = entry.payload_size};
}

}  // namespace ringcast::rtp
