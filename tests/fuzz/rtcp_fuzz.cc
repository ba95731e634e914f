// Fuzz target for rtp/rtcp: the compound walker and every typed parser (SR, RR, SDES, BYE,
// feedback, NACK, PLI, FIR), then the writers.
//
// Each input is walked as a compound packet; every block goes through every parser. Properties
// checked: blocks stay inside the input and tile it up to the first bad one; a parsed report,
// NACK, FIR, BYE or SDES CNAME written back with our writers parses back to the same values;
// the NACK writer, fed the lost sequence numbers a NACK lists, yields a NACK that lists the same
// set. Seeds (corpus/rtcp) are the captured datagrams of tests/data/rtcp and
// tests/data/rtp/rtcp_ffmpeg_sr.rtp, one per file.
#include <algorithm>
#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/rtcp/bye.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/feedback.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtcp/sdes.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ringcast::rtp::rtcp;  // NOLINT: a fuzz harness touching the whole namespace

bool Inside(std::span<const uint8_t> inner, std::span<const uint8_t> outer) {
  if (inner.empty()) return true;
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

// Room for the largest block the writers produce from one parsed block (31 report blocks, 255
// NACK items from the lost-number list below, 255-byte strings).
std::array<uint8_t, 4096> g_out;

void CheckReports(const Block& block) {
  if (std::optional<SenderReportView> sr = SenderReportView::Parse(block)) {
    std::array<ReportBlock, 31> blocks;
    for (size_t i = 0; i < sr->report_count(); ++i) blocks[i] = sr->report_block(i);
    const std::span<const ReportBlock> used(blocks.data(), sr->report_count());
    const size_t n = WriteSenderReport(g_out, sr->sender_ssrc(), sr->sender_info(), used);
    FUZZ_CHECK(n == 28 + 24 * used.size());
    const std::optional<Block> again = Block::Parse(std::span<const uint8_t>(g_out.data(), n));
    FUZZ_CHECK(again.has_value());
    const std::optional<SenderReportView> sr2 = SenderReportView::Parse(*again);
    FUZZ_CHECK(sr2.has_value() && sr2->sender_ssrc() == sr->sender_ssrc());
    FUZZ_CHECK(sr2->sender_info() == sr->sender_info());
    for (size_t i = 0; i < used.size(); ++i) FUZZ_CHECK(sr2->report_block(i) == used[i]);
  }
  if (std::optional<ReceiverReportView> rr = ReceiverReportView::Parse(block)) {
    std::array<ReportBlock, 31> blocks;
    for (size_t i = 0; i < rr->report_count(); ++i) {
      blocks[i] = rr->report_block(i);
      (void)RoundTripMs(0x12345678, blocks[i]);
    }
    const std::span<const ReportBlock> used(blocks.data(), rr->report_count());
    const size_t n = WriteReceiverReport(g_out, rr->sender_ssrc(), used);
    FUZZ_CHECK(n == 8 + 24 * used.size());
    const std::optional<ReceiverReportView> rr2 =
        ReceiverReportView::Parse(*Block::Parse(std::span<const uint8_t>(g_out.data(), n)));
    FUZZ_CHECK(rr2.has_value() && rr2->report_count() == used.size());
    for (size_t i = 0; i < used.size(); ++i) FUZZ_CHECK(rr2->report_block(i) == used[i]);
  }
}

void CheckSdesBye(const Block& block) {
  if (block.packet_type() == kPacketTypeSdes) {
    SdesReader reader(block);
    while (std::optional<SdesItem> item = reader.Next()) {
      FUZZ_CHECK(Inside({reinterpret_cast<const uint8_t*>(item->value.data()), item->value.size()},
                        block.body()));
      if (item->type != kSdesCname || item->value.empty()) continue;
      const size_t n = WriteSdesCname(g_out, item->ssrc, item->value);
      FUZZ_CHECK(n > 0 && n % 4 == 0);
      SdesReader again(*Block::Parse(std::span<const uint8_t>(g_out.data(), n)));
      const std::optional<SdesItem> copy = again.Next();
      FUZZ_CHECK(copy.has_value() && copy->ssrc == item->ssrc && copy->value == item->value);
      FUZZ_CHECK(!again.Next().has_value() && !again.malformed());
    }
  }
  if (std::optional<ByeView> bye = ByeView::Parse(block)) {
    std::array<uint32_t, 31> ssrcs;
    for (size_t i = 0; i < bye->ssrc_count(); ++i) ssrcs[i] = bye->ssrc(i);
    const std::span<const uint32_t> used(ssrcs.data(), bye->ssrc_count());
    const size_t n = WriteBye(g_out, used, bye->reason());
    if (used.empty()) {
      FUZZ_CHECK(n == 0);
      return;
    }
    const std::optional<ByeView> bye2 =
        ByeView::Parse(*Block::Parse(std::span<const uint8_t>(g_out.data(), n)));
    FUZZ_CHECK(bye2.has_value() && bye2->ssrc_count() == used.size());
    FUZZ_CHECK(bye2->reason() == bye->reason());
    for (size_t i = 0; i < used.size(); ++i) FUZZ_CHECK(bye2->ssrc(i) == used[i]);
  }
}

void CheckFeedback(const Block& block) {
  const std::optional<FeedbackView> feedback = FeedbackView::Parse(block);
  if (!feedback) return;
  FUZZ_CHECK(Inside(feedback->fci(), block.body()));
  if (std::optional<NackView> nack = NackView::Parse(block)) {
    // Collect up to 256 lost numbers; as a set they must survive WriteNack → parse.
    std::array<uint16_t, 256> lost;
    size_t count = 0;
    NackSeqReader reader = nack->lost();
    while (std::optional<uint16_t> seq = reader.Next()) {
      if (count == lost.size()) break;
      lost[count++] = *seq;
    }
    FUZZ_CHECK(count > 0);
    const std::span<const uint16_t> used(lost.data(), count);
    const size_t n = WriteNack(g_out, nack->sender_ssrc(), nack->media_ssrc(), used);
    FUZZ_CHECK(n == kFeedbackHeaderSize + kNackItemSize * NackItemCount(used));
    const std::optional<NackView> nack2 =
        NackView::Parse(*Block::Parse(std::span<const uint8_t>(g_out.data(), n)));
    FUZZ_CHECK(nack2.has_value());
    static std::bitset<65536> seen;
    static std::bitset<65536> seen2;
    seen.reset();
    seen2.reset();
    for (uint16_t s : used) seen.set(s);
    NackSeqReader reader2 = nack2->lost();
    while (std::optional<uint16_t> seq = reader2.Next()) seen2.set(*seq);
    FUZZ_CHECK(seen == seen2);
  }
  if (std::optional<PliView> pli = PliView::Parse(block)) {
    FUZZ_CHECK(WritePli(g_out, pli->sender_ssrc, pli->media_ssrc) == kFeedbackHeaderSize);
  }
  if (std::optional<FirView> fir = FirView::Parse(block)) {
    std::array<FirEntry, 64> entries;
    const size_t count = std::min(fir->entry_count(), entries.size());
    for (size_t i = 0; i < count; ++i) entries[i] = fir->entry(i);
    const size_t n = WriteFir(g_out, fir->sender_ssrc(), {entries.data(), count});
    const std::optional<FirView> fir2 =
        FirView::Parse(*Block::Parse(std::span<const uint8_t>(g_out.data(), n)));
    FUZZ_CHECK(fir2.has_value() && fir2->entry_count() == count);
    for (size_t i = 0; i < count; ++i) {
      FUZZ_CHECK(fir2->entry(i).ssrc == entries[i].ssrc);
      FUZZ_CHECK(fir2->entry(i).seq_nr == entries[i].seq_nr);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  (void)IsRtcp(input);
  CompoundReader reader(input);
  size_t offset = 0;
  while (std::optional<Block> block = reader.Next()) {
    // Blocks tile the input from the start.
    FUZZ_CHECK(block->bytes().data() == data + offset);
    FUZZ_CHECK(Inside(block->bytes(), input) && Inside(block->body(), block->bytes()));
    FUZZ_CHECK(block->bytes().size() % 4 == 0);
    offset += block->bytes().size();
    CheckReports(*block);
    CheckSdesBye(*block);
    CheckFeedback(*block);
  }
  FUZZ_CHECK(reader.malformed() == (offset != size));
  FUZZ_CHECK(IsValidCompound(input, false) == (offset == size && size > 0));
  return 0;
}
