#include "rtp/rtcp/nack_generator.h"

#include <algorithm>

namespace ringcast::rtp::rtcp {

NackGenerator::NackGenerator(const Options& options)
    : options_(options), slots_(std::max<size_t>(options.window_packets, 1)) {
  options_.window_packets = slots_.size();
}

void NackGenerator::GiveUp(Slot& slot) {
  slot.seq = -1;
  --missing_;
  ++given_up_;
}

void NackGenerator::GiveUpAll() {
  if (missing_ == 0) return;
  for (Slot& slot : slots_) {
    if (slot.seq >= 0) GiveUp(slot);
  }
}

NackGenerator::Arrival NackGenerator::OnPacket(uint16_t seq, int64_t now_ns) {
  const int64_t window = static_cast<int64_t>(slots_.size());
  // Unwrapped numbers start at 2^32 so that the -1 "none" marker and the window arithmetic never
  // meet a negative number, even when the stream reorders around its first packet.
  const int64_t s = unwrapper_.Unwrap(seq) + (int64_t{1} << 32);
  if (!started_) {
    started_ = true;
    highest_ = s;
    oldest_missing_ = s + 1;
    return Arrival::kNew;
  }
  if (s > highest_) {
    if (s - highest_ > window) {
      GiveUpAll();
      highest_ = s;
      oldest_missing_ = s + 1;
      return Arrival::kTooFarAhead;
    }
    // The numbers in between are missing; their slots may still track numbers a window ago,
    // which are given up.
    for (int64_t k = highest_ + 1; k <= s; ++k) {
      Slot& slot = SlotOf(k);
      if (slot.seq >= 0) GiveUp(slot);
      if (k == s) break;
      slot = Slot{k, now_ns, 0, 0};
      ++missing_;
    }
    // A lower bound for Collect's scan: the new gap starts after the old newest.
    oldest_missing_ = std::min(oldest_missing_, highest_ + 1);
    highest_ = s;
    return Arrival::kNew;
  }
  if (s <= highest_ - window) return Arrival::kDuplicate;  // older than anything tracked
  Slot& slot = SlotOf(s);
  if (slot.seq != s) return Arrival::kDuplicate;  // arrived before, or never missing
  if (slot.requests > 0) {
    ++recovered_;
  } else {
    ++late_arrivals_;
  }
  slot.seq = -1;
  --missing_;
  return Arrival::kRecovered;
}

size_t NackGenerator::Collect(int64_t now_ns, int64_t rtt_ns, std::span<uint16_t> out) {
  if (missing_ == 0) return 0;
  const int64_t interval = std::max(rtt_ns, options_.min_interval_ns);
  const int64_t window = static_cast<int64_t>(slots_.size());
  size_t count = 0;
  int64_t first_still_missing = -1;
  for (int64_t k = std::max(oldest_missing_, highest_ - window + 1); k < highest_; ++k) {
    Slot& slot = SlotOf(k);
    if (slot.seq != k) continue;
    if (now_ns - slot.missing_since_ns > options_.max_age_ns) {
      GiveUp(slot);
      continue;
    }
    if (slot.requests >= options_.max_requests) {
      // Its last request had a round trip to be answered.
      if (now_ns - slot.last_request_ns >= interval) {
        GiveUp(slot);
        continue;
      }
    } else if (count < out.size()) {
      const bool due = slot.requests == 0
                           ? now_ns - slot.missing_since_ns >= options_.first_request_delay_ns
                           : now_ns - slot.last_request_ns >= interval;
      if (due) {
        out[count++] = static_cast<uint16_t>(k);
        slot.last_request_ns = now_ns;
        ++slot.requests;
        ++requests_;
      }
    }
    if (first_still_missing < 0) first_still_missing = k;
  }
  oldest_missing_ = first_still_missing >= 0 ? first_still_missing : highest_ + 1;
  return count;
}

}  // namespace ringcast::rtp::rtcp
