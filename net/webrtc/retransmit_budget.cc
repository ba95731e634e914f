#include "net/webrtc/retransmit_budget.h"

#include <algorithm>

#include "core/clock.h"

namespace ringcast::net::webrtc {

void RetransmitBudget::UpdateCap(int64_t elapsed_ns) {
  if (elapsed_ns <= 0) return;
  // Two seconds of credit at the rate of the last window.
  const double per_second = static_cast<double>(window_credit_) * core::kNsPerSec / elapsed_ns;
  window_credit_ = 0;
  cap_ = std::max<int64_t>(kMinBurstBytes * 100, static_cast<int64_t>(2 * per_second));
  tokens_ = std::min(tokens_, cap_);
}

bool RecentResends::SentWithin(uint16_t seq, int64_t now_ns, int64_t interval_ns) const {
  if (slots_ == nullptr) return false;
  const Slot& slot = (*slots_)[seq % kSlots];
  return slot.used && slot.seq == seq && now_ns - slot.sent_ns < interval_ns;
}

void RecentResends::Record(uint16_t seq, int64_t now_ns) {
  if (slots_ == nullptr) slots_ = std::make_unique<std::array<Slot, kSlots>>();
  (*slots_)[seq % kSlots] = {.sent_ns = now_ns, .seq = seq, .used = true};
}

}  // namespace ringcast::net::webrtc
