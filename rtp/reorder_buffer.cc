#include "rtp/reorder_buffer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <span>

#include "core/check.h"
#include "rtp/seq_num.h"

namespace ringcast::rtp {

ReorderBuffer::ReorderBuffer(const Options& options)
    : slots_(std::bit_ceil(std::clamp(options.capacity, kMinCapacity, kMaxCapacity))),
      max_packet_size_(std::max(options.max_packet_size, kRtpFixedHeaderSize)),
      max_wait_ns_(std::max<int64_t>(options.max_wait_ns, 0)) {}

void ReorderBuffer::Push(const RtpView& packet, int64_t now_ns, Sink deliver) {
  DCHECK(!delivering_);
  if (packet.packet().size() > max_packet_size_) {
    ++refused_;
    return;
  }
  const uint16_t seq = packet.sequence_number();
  if (!started_) {
    started_ = true;
    next_ = seq;
  }
  // After a restart the packet is handled against the new numbering.
  if (candidate_.seq != kEmpty) ResolveCandidate(seq, deliver);
  Flush(now_ns, deliver);

  const int64_t distance = SeqDistance(static_cast<uint16_t>(next_), seq);
  const int64_t unwrapped = next_ + distance;
  if (distance == 0) {
    // The fast path: nothing is missing before it.
    delivering_ = true;
    deliver(packet);
    delivering_ = false;
    ++delivered_;
    ++next_;
    if (waiting_ > 0) DeliverRun(deliver);
    if (oldest_stale_) RecomputeOldest();
    return;
  }
  if (distance < -kRestartJump) {
    // A restart behind, or a stray: the next packet tells (ResolveCandidate).
    Copy(packet, unwrapped, now_ns, candidate_);
    return;
  }
  if (distance < 0) {
    ++late_;
    return;
  }
  if (distance > static_cast<int64_t>(slots_.size())) {
    Jump(packet, unwrapped, /*restart=*/distance > kRestartJump, deliver);
    return;
  }
  if (SlotOf(unwrapped).seq == unwrapped) {
    ++duplicates_;
    return;
  }
  Hold(packet, unwrapped, now_ns);
}

void ReorderBuffer::Flush(int64_t now_ns, Sink deliver) {
  DCHECK(!delivering_);
  if (waiting_ == 0 || now_ns - oldest_ns_ < max_wait_ns_) return;
  // Everything up to the last packet that has waited long enough goes.
  int64_t last = next_;
  for (int64_t k = next_ + 1; k <= highest_; ++k) {
    const Slot& slot = SlotOf(k);
    if (slot.seq == k && now_ns - slot.arrival_ns >= max_wait_ns_) last = k;
  }
  DeliverThrough(last, deliver);
  DeliverRun(deliver);
  if (oldest_stale_) RecomputeOldest();
}

std::optional<int64_t> ReorderBuffer::next_deadline_ns() const {
  if (waiting_ == 0) return std::nullopt;
  return oldest_ns_ + max_wait_ns_;
}

void ReorderBuffer::Copy(const RtpView& packet, int64_t seq, int64_t now_ns, Slot& slot) {
  if (bytes_.empty()) bytes_.resize((slots_.size() + 1) * max_packet_size_);
  const std::span<const uint8_t> bytes = packet.packet();
  DCHECK(bytes.size() <= max_packet_size_);
  std::memcpy(BytesOf(slot), bytes.data(), bytes.size());
  slot = {.seq = seq, .arrival_ns = now_ns, .size = bytes.size()};
}

void ReorderBuffer::Hold(const RtpView& packet, int64_t seq, int64_t now_ns) {
  Slot& slot = SlotOf(seq);
  DCHECK(slot.seq == kEmpty);
  Copy(packet, seq, now_ns, slot);
  if (waiting_ == 0) {
    highest_ = seq;
    oldest_ns_ = now_ns;
  } else {
    highest_ = std::max(highest_, seq);
    oldest_ns_ = std::min(oldest_ns_, now_ns);
  }
  ++waiting_;
}

void ReorderBuffer::Release(Slot& slot, Sink deliver) {
  const std::optional<RtpView> view =
      RtpView::Parse(std::span<const uint8_t>(BytesOf(slot), slot.size));
  DCHECK(view.has_value());  // it parsed when it arrived
  if (slot.arrival_ns <= oldest_ns_) oldest_stale_ = true;
  slot.seq = kEmpty;
  --waiting_;
  if (!view) return;
  ++delivered_;
  ++reordered_;
  delivering_ = true;
  deliver(*view);
  delivering_ = false;
}

void ReorderBuffer::DeliverRun(Sink deliver) {
  while (waiting_ > 0) {
    Slot& slot = SlotOf(next_);
    if (slot.seq != next_) break;
    Release(slot, deliver);
    ++next_;
  }
}

void ReorderBuffer::DeliverThrough(int64_t last, Sink deliver) {
  for (; next_ <= last; ++next_) {
    Slot& slot = SlotOf(next_);
    if (slot.seq == next_) {
      Release(slot, deliver);
    } else {
      ++given_up_;
    }
  }
}

void ReorderBuffer::RecomputeOldest() {
  oldest_stale_ = false;
  if (waiting_ == 0) return;
  int64_t oldest = INT64_MAX;
  for (int64_t k = next_ + 1; k <= highest_; ++k) {
    const Slot& slot = SlotOf(k);
    if (slot.seq == k) oldest = std::min(oldest, slot.arrival_ns);
  }
  oldest_ns_ = oldest;
}

void ReorderBuffer::Jump(const RtpView& packet, int64_t seq, bool restart, Sink deliver) {
  if (waiting_ > 0) DeliverThrough(highest_, deliver);
  DCHECK(waiting_ == 0);
  oldest_stale_ = false;
  if (restart) {
    ++restarts_;  // a new numbering: the numbers in between were never sent
  } else {
    given_up_ += static_cast<uint64_t>(seq - next_);
  }
  next_ = seq + 1;
  ++delivered_;
  delivering_ = true;
  deliver(packet);
  delivering_ = false;
}

void ReorderBuffer::ResolveCandidate(uint16_t seq, Sink deliver) {
  const int64_t candidate = candidate_.seq;
  candidate_.seq = kEmpty;
  const int32_t after = SeqDistance(static_cast<uint16_t>(candidate), seq);
  if (after <= 0 || after > kRestartFollow) {
    ++late_;
    return;
  }
  const std::optional<RtpView> view =
      RtpView::Parse(std::span<const uint8_t>(BytesOf(candidate_), candidate_.size));
  DCHECK(view.has_value());  // it parsed when it arrived
  if (view) Jump(*view, candidate, /*restart=*/true, deliver);
}

}  // namespace ringcast::rtp
