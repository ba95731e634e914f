#include "rtp/rtcp/transport_feedback_recorder.h"

#include <algorithm>
#include <bit>

namespace ringcast::rtp::rtcp {
namespace {

// Room for the header, a run of lost packets as long as the largest window (5 run-length chunks)
// and a received packet, so that every message makes progress.
constexpr size_t kMinMessageSize = 64;

size_t WindowSize(size_t requested) {
  return std::bit_ceil(std::clamp<size_t>(requested, 16, 32768));
}

}  // namespace

TransportFeedbackRecorder::TransportFeedbackRecorder(const Options& options)
    : arrivals_(WindowSize(options.window), kNone),
      mask_(WindowSize(options.window) - 1),
      builder_(std::max<size_t>(options.max_message_size, kMinMessageSize)) {}

void TransportFeedbackRecorder::OnPacket(uint16_t seq, int64_t arrival_ns) {
  const int64_t s = unwrapper_.Unwrap(seq);
  const int64_t window = static_cast<int64_t>(arrivals_.size());
  if (!started_) {
    started_ = true;
    begin_ = s;
    end_ = s + 1;
    valid_begin_ = s;
    Slot(s) = arrival_ns;
    ++received_;
    return;
  }
  if (s >= end_) {
    // The newest so far: the slots between the previous newest and it become "not received"
    // (they may still hold values from a window ago); what slides out of the window is gone.
    const int64_t clear_from = std::max(end_, s + 1 - window);
    for (int64_t k = clear_from; k < s; ++k) Slot(k) = kNone;
    end_ = s + 1;
    valid_begin_ = std::max(valid_begin_, end_ - window);
    if (begin_ < valid_begin_) {
      forgotten_ += static_cast<uint64_t>(valid_begin_ - begin_);
      begin_ = valid_begin_;
    }
    Slot(s) = arrival_ns;
    ++received_;
    return;
  }
  if (s < end_ - window) {
    ++late_;
    return;
  }
  if (s < valid_begin_) {
    // Reordered before the first packet ever seen: extend the window back to it.
    for (int64_t k = s; k < valid_begin_; ++k) Slot(k) = kNone;
    valid_begin_ = s;
  }
  if (Slot(s) != kNone) {
    ++duplicates_;
    return;
  }
  Slot(s) = arrival_ns;
  ++received_;
  if (s < begin_) begin_ = s;  // already reported as lost (or before the first): report again
}

size_t TransportFeedbackRecorder::WriteFeedback(std::span<uint8_t> out, uint32_t sender_ssrc,
                                                uint32_t media_ssrc) {
  if (!has_unreported()) return 0;
  // The newest packet (end_ - 1) is always received, so there is a first received one.
  int64_t first = begin_;
  while (Slot(first) == kNone) ++first;
  builder_.Reset(static_cast<uint16_t>(begin_), Slot(first), feedback_count_);
  int64_t last_added = begin_ - 1;
  for (int64_t k = first; k < end_; ++k) {
    const int64_t arrival = Slot(k);
    if (arrival == kNone) continue;
    if (!builder_.AddReceived(static_cast<uint16_t>(k), arrival)) break;
    last_added = k;
  }
  if (last_added < begin_) return 0;  // max_message_size too small for the lost run before it
  const size_t n = builder_.Write(out, sender_ssrc, media_ssrc);
  if (n == 0) return 0;
  begin_ = last_added + 1;
  ++feedback_count_;
  ++messages_;
  return n;
}

}  // namespace ringcast::rtp::rtcp
