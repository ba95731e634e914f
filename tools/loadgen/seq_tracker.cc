#include "tools/loadgen/seq_tracker.h"

#include <algorithm>

namespace ringcast::loadgen {

void SeqTracker::SetReceived(uint64_t seq, bool on) {
  uint64_t& word = bits_[(seq / 64) % kWords];
  const uint64_t bit = uint64_t{1} << (seq % 64);
  word = on ? (word | bit) : (word & ~bit);
}

void SeqTracker::AddMissing(uint64_t seq, int64_t now_ns) {
  ++counts_.gaps;
  if (missing_count_ == kMaxMissing) {
    ++counts_.lost;  // too many outstanding to chase: lost at once
    return;
  }
  missing_[missing_count_++] = {.seq = seq, .seen_ns = now_ns};
}

void SeqTracker::OnPacket(uint16_t seq, int64_t now_ns) {
  if (!started_) {
    started_ = true;
    // Start high enough that "behind the first packet" never goes below zero.
    highest_ = base_ = (uint64_t{1} << 32) + seq;
    SetReceived(highest_, true);
    ++counts_.packets;
    return;
  }
  const auto delta =
      static_cast<int16_t>(static_cast<uint16_t>(seq - static_cast<uint16_t>(highest_)));
  if (delta > 0) {
    const uint64_t next = highest_ + static_cast<uint64_t>(delta);
    // Forget the window slots the stream moves past, then note the skipped numbers.
    for (uint64_t s = highest_ + 1; s < next; ++s) {
      SetReceived(s, false);
      if (next - s <= kWindow) {
        AddMissing(s, now_ns);
      } else {
        ++counts_.gaps;
        ++counts_.lost;
      }
    }
    SetReceived(next, true);
    highest_ = next;
    ++counts_.packets;
    // Missing entries the window has moved past can never be classified: lost.
    for (size_t i = 0; i < missing_count_;) {
      if (highest_ - missing_[i].seq >= kWindow) {
        ++counts_.lost;
        RemoveMissing(i);
      } else {
        ++i;
      }
    }
    return;
  }
  const uint64_t back = static_cast<uint64_t>(-static_cast<int32_t>(delta));
  if (back >= kWindow || highest_ - back < base_) {
    ++counts_.too_old;
    return;
  }
  const uint64_t s = highest_ - back;
  if (Received(s)) {
    ++counts_.duplicates;
    return;
  }
  SetReceived(s, true);
  ++counts_.packets;
  for (size_t i = 0; i < missing_count_; ++i) {
    if (missing_[i].seq != s) continue;
    if (missing_[i].nacks > 0)
      ++counts_.recovered;
    else
      ++counts_.late;
    RemoveMissing(i);
    return;
  }
  // Not on the list: it was given up already (or never listed); count it as late.
  ++counts_.late;
}

size_t SeqTracker::CollectNacks(int64_t now_ns, std::span<uint16_t> out) {
  size_t n = 0;
  for (size_t i = 0; i < missing_count_;) {
    Missing& m = missing_[i];
    bool due = false;
    if (!policy_.enabled) {
      if (now_ns - m.seen_ns >= policy_.give_up_ns) {
        ++counts_.lost;
        RemoveMissing(i);
        continue;
      }
    } else if (m.nacks == 0) {
      due = now_ns - m.seen_ns >= policy_.reorder_delay_ns;
    } else if (m.nacks == 1) {
      due = now_ns - m.nacked_ns >= policy_.retry_delay_ns;
    } else if (now_ns - m.nacked_ns >= policy_.give_up_ns) {
      ++counts_.lost;
      RemoveMissing(i);
      continue;
    }
    if (due && n < out.size()) {
      out[n++] = static_cast<uint16_t>(m.seq);
      ++m.nacks;
      m.nacked_ns = now_ns;
    }
    ++i;
  }
  // WriteNack packs best in ascending order; the list is unordered, so sort what we took. Sort
  // by distance from the highest so a wrap (65535 → 0) stays in order.
  const uint16_t top = static_cast<uint16_t>(highest_);
  std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
            [top](uint16_t a, uint16_t b) {
              return static_cast<uint16_t>(top - a) > static_cast<uint16_t>(top - b);
            });
  return n;
}

}  // namespace ringcast::loadgen
