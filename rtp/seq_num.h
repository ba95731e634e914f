// Wrap-aware arithmetic on RTP sequence numbers (16 bits) and timestamps (32 bits).
//
// RTP counters wrap: 65535 is followed by 0 (RFC 3550 §5.1). "a is newer than b" therefore means
// "a is less than half the number space ahead of b". The unwrappers extend wrapping counters to
// 64 bits the way RFC 3550 Appendix A.1 counts sequence-number cycles, so a track's History can
// key its slots by a number that never wraps. All of this is plain value arithmetic: no
// allocation, no failure; an unwrapper belongs to one track and is used by that track's worker
// thread only.
#ifndef RINGCAST_RTP_SEQ_NUM_H_
#define RINGCAST_RTP_SEQ_NUM_H_

#include <cstdint>

namespace ringcast::rtp {

// Signed distance from `from` forward to `to` modulo 2^16: SeqDistance(65535, 0) == 1,
// SeqDistance(0, 65535) == -1. Exactly half-way apart, the sign follows IsNewerSeq (below), so
// SeqDistance(from, to) > 0 exactly when IsNewerSeq(to, from).
constexpr int32_t SeqDistance(uint16_t from, uint16_t to) {
  const uint16_t forward = static_cast<uint16_t>(to - from);
  if (forward < 0x8000 || (forward == 0x8000 && to > from)) return forward;
  return static_cast<int32_t>(forward) - 0x10000;
}

// True if `a` comes after `b` in a wrapping 16-bit space. For the half-way case (a - b == 0x8000)
// the numerically larger one is newer, so exactly one of IsNewerSeq(a, b), IsNewerSeq(b, a)
// holds for any a != b (the rule libwebrtc's IsNewerSequenceNumber uses).
constexpr bool IsNewerSeq(uint16_t a, uint16_t b) {
  const uint16_t forward = static_cast<uint16_t>(a - b);
  if (forward == 0x8000) return a > b;
  return forward != 0 && forward < 0x8000;
}

// The newer of two sequence numbers by IsNewerSeq.
constexpr uint16_t LatestSeq(uint16_t a, uint16_t b) { return IsNewerSeq(b, a) ? b : a; }

// The same for 32-bit RTP timestamps.
constexpr int64_t TimestampDistance(uint32_t from, uint32_t to) {
  const uint32_t forward = to - from;
  if (forward < 0x80000000u || (forward == 0x80000000u && to > from)) return forward;
  return static_cast<int64_t>(forward) - (int64_t{1} << 32);
}

constexpr bool IsNewerTimestamp(uint32_t a, uint32_t b) {
  const uint32_t forward = a - b;
  if (forward == 0x80000000u) return a > b;
  return forward != 0 && forward < 0x80000000u;
}

constexpr uint32_t LatestTimestamp(uint32_t a, uint32_t b) {
  return IsNewerTimestamp(b, a) ? b : a;
}

// Extends a wrapping unsigned counter of `Bits` bits (16 or 32) to 64 bits.
//
// The first value is returned as it is (cycle 0). Each later value is placed within half the
// number space of the highest value seen so far (RFC 3550 A.1 keeps `cycles` and `max_seq` the
// same way), so a reordered packet from before a wrap gets the previous cycle and a packet after
// it the next one. Values may go below zero if the stream reorders around its very first
// packet; the result is still consistent (strictly ordered like the packets). Large jumps
// (a publisher reconnecting with a fresh random sequence) are the caller's to detect: this class
// only does the arithmetic. Reset() forgets everything.
template <int Bits, typename Narrow>
class CounterUnwrapper {
 public:
  static_assert(Bits == 16 || Bits == 32);

  // Returns the 64-bit value of `value` and remembers it if it is the newest so far.
  constexpr int64_t Unwrap(Narrow value) {
    const int64_t extended = PeekUnwrap(value);
    if (!started_ || extended > highest_) highest_ = extended;
    started_ = true;
    return extended;
  }

  // The 64-bit value `value` would unwrap to, without remembering anything.
  constexpr int64_t PeekUnwrap(Narrow value) const {
    if (!started_) return static_cast<int64_t>(value);
    constexpr int64_t kSpan = int64_t{1} << Bits;
    const Narrow highest_low = static_cast<Narrow>(highest_);
    const Narrow forward = static_cast<Narrow>(value - highest_low);
    int64_t delta = static_cast<int64_t>(forward);
    // Half-way or beyond counts as backwards unless exactly half-way and numerically larger,
    // matching IsNewerSeq / IsNewerTimestamp.
    if (delta > kSpan / 2 || (delta == kSpan / 2 && value < highest_low)) delta -= kSpan;
    return highest_ + delta;
  }

  // The highest 64-bit value returned by Unwrap() so far (0 before the first call).
  constexpr int64_t highest() const { return highest_; }
  constexpr bool started() const { return started_; }
  constexpr void Reset() {
    started_ = false;
    highest_ = 0;
  }

 private:
  int64_t highest_ = 0;
  bool started_ = false;
};

// RTP sequence numbers → extended sequence numbers (RFC 3550 A.1).
using SeqUnwrapper = CounterUnwrapper<16, uint16_t>;
// RTP timestamps → 64-bit timestamps in the same clock.
using TimestampUnwrapper = CounterUnwrapper<32, uint32_t>;

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_SEQ_NUM_H_
