// Fuzz target for rtp/rtcp/transport_feedback.h: the transport-wide feedback parser on any
// compound RTCP packet, and the builder on what it read.
//
// Every block of the input goes through TransportFeedbackView::Parse. Properties checked: the
// reader yields exactly status_count() packets, numbered from the base, with received_count()
// received; the received packets, fed to TransportFeedbackBuilder with their arrival times, make
// a message that parses back to the same received sequence numbers with the same spacing in
// time (the builder picks its own reference time, so arrivals are compared relative to the first
// one), and no message larger than the builder's bound. Seeds (corpus/transport_feedback):
// GStreamer's feedback from tests/data/rtcp/gst_twcc.rtp, the two hand-built messages of
// transport_feedback_test.cc (one with RTCP padding instead, one between two receiver reports),
// and messages TransportFeedbackRecorder wrote for a lossy, reordering stream.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/transport_feedback.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ringcast::rtp::rtcp;  // NOLINT: a fuzz harness touching the whole namespace

struct Received {
  uint16_t seq;
  int64_t ticks;
};

// Up to 65535 statuses per message; the builder is sized for the largest block.
std::array<Received, 65536> g_received;
std::array<uint8_t, 65536 * 4> g_out;

void CheckRebuild(size_t count, uint8_t feedback_count) {
  static TransportFeedbackBuilder builder(65536 * 4);
  const uint16_t base = g_received[0].seq;
  builder.Reset(base, g_received[0].ticks * kTransportDeltaTickNs, feedback_count);
  size_t added = 0;
  while (added < count && builder.AddReceived(g_received[added].seq,
                                              g_received[added].ticks * kTransportDeltaTickNs)) {
    ++added;
  }
  // The deltas after the first are the parsed ones, so they fit; the first is 0..255 ticks from
  // the builder's own reference. Everything fits the largest block.
  FUZZ_CHECK(added == count);
  const size_t n = builder.Write(g_out, 1, 2);
  FUZZ_CHECK(n == builder.size() && n > 0 && n % 4 == 0 && n <= builder.max_size());
  const std::optional<Block> block = Block::Parse(std::span<const uint8_t>(g_out.data(), n));
  FUZZ_CHECK(block.has_value() && block->bytes().size() == n);
  const std::optional<TransportFeedbackView> view = TransportFeedbackView::Parse(*block);
  FUZZ_CHECK(view.has_value());
  FUZZ_CHECK(view->base_seq() == base && view->received_count() == count);
  FUZZ_CHECK(view->feedback_count() == feedback_count);
  TransportFeedbackReader reader = view->packets();
  size_t i = 0;
  int64_t first_ticks = 0;
  while (std::optional<TransportFeedbackPacket> packet = reader.Next()) {
    if (!packet->received) continue;
    FUZZ_CHECK(i < count && packet->seq == g_received[i].seq);
    if (i == 0) first_ticks = packet->arrival_ticks;
    FUZZ_CHECK(packet->arrival_ticks - first_ticks == g_received[i].ticks - g_received[0].ticks);
    ++i;
  }
  FUZZ_CHECK(i == count);
}

void CheckBlock(const Block& block) {
  const std::optional<TransportFeedbackView> view = TransportFeedbackView::Parse(block);
  if (!view) return;
  FUZZ_CHECK(view->status_count() > 0);
  FUZZ_CHECK(view->reference_time() <= 0xFFFFFF);
  TransportFeedbackReader reader = view->packets();
  size_t statuses = 0;
  size_t received = 0;
  while (std::optional<TransportFeedbackPacket> packet = reader.Next()) {
    FUZZ_CHECK(packet->seq == static_cast<uint16_t>(view->base_seq() + statuses));
    ++statuses;
    if (!packet->received) continue;
    FUZZ_CHECK(packet->delta_ticks >= INT16_MIN && packet->delta_ticks <= INT16_MAX);
    g_received[received++] = {packet->seq, packet->arrival_ticks};
  }
  FUZZ_CHECK(statuses == view->status_count());
  FUZZ_CHECK(received == view->received_count());
  if (received > 0) CheckRebuild(received, view->feedback_count());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CompoundReader reader(std::span<const uint8_t>(data, size));
  while (std::optional<Block> block = reader.Next()) CheckBlock(*block);
  return 0;
}
