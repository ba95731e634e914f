// Fuzz target for the receiver's side of a stream in rtp/rtcp/: ReceptionStats, NackGenerator
// and TransportFeedbackRecorder fed the same arrivals, in any order a peer could send them.
//
// The input is a list of 4-byte events: a signed step for the sequence number (bytes 0-1, so
// duplicates, reordering, gaps and jumps past every window all occur), a time step in ms
// (byte 2) and a flags byte (bit 0: make a report block, bit 1: collect NACKs, bit 2: write
// transport-wide feedback, bit 3: a sender report). Properties checked: a report block's
// cumulative loss fits 24 signed bits and its extended highest sequence number is the stats';
// NACKs come out in strictly ascending wrap-aware order and never more than asked; the
// generator never tracks more than its window; every feedback message parses, fits the bound
// and reports as received only numbers that arrived. Seeds (corpus/receiver): hand-made event
// lists — in order, a loss burst, reordering, duplicates, a wrap, a restart.
#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/byte_io.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/nack_generator.h"
#include "rtp/rtcp/reception_stats.h"
#include "rtp/rtcp/transport_feedback.h"
#include "rtp/rtcp/transport_feedback_recorder.h"
#include "rtp/seq_num.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ringcast::rtp::rtcp;  // NOLINT: a fuzz harness touching the whole namespace
using ringcast::rtp::IsNewerSeq;
using ringcast::rtp::LoadBe16;

constexpr int64_t kMs = 1'000'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ReceptionStats stats(0x1234, 90000);
  NackGenerator nack({.window_packets = 200, .max_requests = 4, .max_age_ns = 500 * kMs});
  TransportFeedbackRecorder recorder({.window = 256, .max_message_size = 120});
  static std::bitset<65536> arrived;
  arrived.reset();
  std::array<uint16_t, 64> lost;
  std::array<uint8_t, 256> out;

  uint16_t seq = 1000;
  uint32_t timestamp = 0;
  int64_t now = 1'000 * kMs;
  for (size_t offset = 0; offset + 4 <= size; offset += 4) {
    const int16_t step = static_cast<int16_t>(LoadBe16(data + offset));
    const uint8_t flags = data[offset + 3];
    seq = static_cast<uint16_t>(seq + step);
    timestamp += 90 * data[offset + 2];
    now += data[offset + 2] * kMs;
    arrived.set(seq);

    stats.OnPacket(seq, timestamp, now);
    nack.OnPacket(seq, now);
    recorder.OnPacket(seq, now);
    FUZZ_CHECK(nack.missing() <= 200);

    if (flags & 0x8) stats.OnSenderReport(uint64_t{timestamp} << 20, now);
    if (flags & 0x1) {
      if (const std::optional<ReportBlock> block = stats.MakeReportBlock(now)) {
        FUZZ_CHECK(block->cumulative_lost >= -0x800000 && block->cumulative_lost <= 0x7FFFFF);
        FUZZ_CHECK(block->extended_highest_seq == stats.extended_highest_seq());
        FUZZ_CHECK(block->ssrc == 0x1234);
      }
    }
    if (flags & 0x2) {
      const size_t want = 1 + flags % 64;
      const size_t n =
          nack.Collect(now, (flags >> 4) * kMs, std::span<uint16_t>(lost.data(), want));
      FUZZ_CHECK(n <= want);
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) FUZZ_CHECK(IsNewerSeq(lost[i], lost[i - 1]));
      }
    }
    if (flags & 0x4) {
      while (const size_t n = recorder.WriteFeedback(out, 1, 2)) {
        FUZZ_CHECK(n <= 120);
        const std::optional<Block> block = Block::Parse(std::span<const uint8_t>(out.data(), n));
        FUZZ_CHECK(block.has_value() && block->bytes().size() == n);
        const std::optional<TransportFeedbackView> view = TransportFeedbackView::Parse(*block);
        FUZZ_CHECK(view.has_value());
        TransportFeedbackReader reader = view->packets();
        while (std::optional<TransportFeedbackPacket> packet = reader.Next()) {
          if (packet->received) FUZZ_CHECK(arrived.test(packet->seq));
        }
      }
    }
  }
  return 0;
}
