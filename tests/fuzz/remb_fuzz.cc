// Fuzz target for rtp/rtcp/remb.h: the REMB parser on any compound RTCP packet, and the writer on
// what it read.
//
// Every block goes through RembView::Parse. Properties checked: the SSRCs lie inside the block;
// WriteRemb with the parsed sender, SSRCs and bitrate writes a REMB that parses back to the same
// values (the parsed bitrate is mantissa << exponent with an 18-bit mantissa, so it encodes
// exactly); the exponent/mantissa encoding never exceeds the rate it encodes. Seeds
// (corpus/remb): the hand-built REMB of remb_test.cc, REMBs with no and many SSRCs, one with
// the largest exponent, and one behind a receiver report as browsers send it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/remb.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ringcast::rtp::rtcp;  // NOLINT: a fuzz harness touching the whole namespace

std::array<uint32_t, kRembMaxSsrcs> g_ssrcs;
std::array<uint8_t, kRembFixedSize + 4 * kRembMaxSsrcs> g_out;

void CheckBlock(const Block& block) {
  const std::optional<RembView> remb = RembView::Parse(block);
  if (!remb) return;
  const size_t count = remb->ssrc_count();
  FUZZ_CHECK(count <= kRembMaxSsrcs);
  FUZZ_CHECK(block.body().size() >= 16 + 4 * count);
  for (size_t i = 0; i < count; ++i) g_ssrcs[i] = remb->ssrc(i);
  const RembBitrate encoded = EncodeRembBitrate(remb->bitrate_bps());
  FUZZ_CHECK(encoded.mantissa <= 0x3FFFF && encoded.exponent < 64);
  FUZZ_CHECK((uint64_t{encoded.mantissa} << encoded.exponent) == remb->bitrate_bps());

  const std::span<const uint32_t> ssrcs(g_ssrcs.data(), count);
  const size_t n = WriteRemb(g_out, remb->sender_ssrc(), remb->bitrate_bps(), ssrcs);
  FUZZ_CHECK(n == kRembFixedSize + 4 * count);
  const std::optional<Block> again = Block::Parse(std::span<const uint8_t>(g_out.data(), n));
  FUZZ_CHECK(again.has_value());
  const std::optional<RembView> remb2 = RembView::Parse(*again);
  FUZZ_CHECK(remb2.has_value());
  FUZZ_CHECK(remb2->sender_ssrc() == remb->sender_ssrc());
  FUZZ_CHECK(remb2->bitrate_bps() == remb->bitrate_bps());
  FUZZ_CHECK(remb2->ssrc_count() == count);
  for (size_t i = 0; i < count; ++i) FUZZ_CHECK(remb2->ssrc(i) == g_ssrcs[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CompoundReader reader(std::span<const uint8_t>(data, size));
  while (std::optional<Block> block = reader.Next()) CheckBlock(*block);
  // The raw input as a bitrate, too: the encoding never overshoots.
  if (size >= 8) {
    uint64_t rate = 0;
    for (size_t i = 0; i < 8; ++i) rate = (rate << 8) | data[i];
    const RembBitrate encoded = EncodeRembBitrate(rate);
    const uint64_t back = uint64_t{encoded.mantissa} << encoded.exponent;
    FUZZ_CHECK(back <= rate && (rate - back) >> encoded.exponent == 0);
  }
  return 0;
}
