// Fuzz target for rtp/transport_sequence.h: the transport-wide sequence number read from any RTP
// packet, under every local id, and the recorder fed with what was read.
//
// Properties checked: a number is found under an id only if the packet's RFC 8285 reader yields
// an element of that id with exactly 2 bytes (the first such element), and then it is those two
// bytes; writing the number back into a fresh header (same id, same form) reads back the same.
// The numbers found are fed to a TransportFeedbackRecorder as arrivals, and every message it
// writes parses. Seeds (corpus/transport_sequence): hand-built packets with the element in the
// one-byte and two-byte forms beside other elements and padding, as browsers send them, packets of
// tests/data/rtcp/gst_twcc_sent.rtp (GStreamer, id 3), and the GStreamer packet of tests/data/rtp
// whose id 1 is another extension.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/byte_io.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/transport_feedback.h"
#include "rtp/rtcp/transport_feedback_recorder.h"
#include "rtp/rtp_packet.h"
#include "rtp/transport_sequence.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ringcast::rtp::AddTransportSequence;
using ringcast::rtp::LoadBe16;
using ringcast::rtp::ReadTransportSequence;
using ringcast::rtp::RtpExtensionElement;
using ringcast::rtp::RtpExtensionReader;
using ringcast::rtp::RtpHeaderWriter;
using ringcast::rtp::RtpView;
namespace rtcp = ringcast::rtp::rtcp;

// What the element reader says about `id`: the first element with it, if any.
std::optional<std::span<const uint8_t>> FirstElement(const RtpView& view, uint8_t id) {
  RtpExtensionReader reader = view.extensions();
  while (std::optional<RtpExtensionElement> element = reader.Next()) {
    if (element->id == id) return element->data;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const std::optional<RtpView> view = RtpView::Parse(input);
  if (!view) {
    for (int id = 0; id < 256; ++id) {
      FUZZ_CHECK(!ReadTransportSequence(input, static_cast<uint8_t>(id)).has_value());
    }
    return 0;
  }
  static rtcp::TransportFeedbackRecorder recorder({.window = 256, .max_message_size = 200});
  static int64_t now_ns = 0;
  for (int id = 0; id < 256; ++id) {
    const std::optional<uint16_t> seq = ReadTransportSequence(*view, static_cast<uint8_t>(id));
    FUZZ_CHECK(seq == ReadTransportSequence(input, static_cast<uint8_t>(id)));
    const std::optional<std::span<const uint8_t>> element =
        id == 0 ? std::nullopt : FirstElement(*view, static_cast<uint8_t>(id));
    FUZZ_CHECK(seq.has_value() == (element.has_value() && element->size() == 2));
    if (!seq) continue;
    FUZZ_CHECK(*seq == LoadBe16(element->data()));

    std::array<uint8_t, 64> header;
    RtpHeaderWriter writer(header, {.payload_type = view->payload_type(),
                                    .sequence_number = view->sequence_number(),
                                    .timestamp = view->timestamp(),
                                    .ssrc = view->ssrc()});
    if (view->has_two_byte_extensions()) writer.UseTwoByteExtensions();
    FUZZ_CHECK(AddTransportSequence(writer, static_cast<uint8_t>(id), *seq));
    const size_t n = writer.Finish();
    FUZZ_CHECK(n > 0);
    FUZZ_CHECK(ReadTransportSequence(std::span<const uint8_t>(header.data(), n),
                                     static_cast<uint8_t>(id)) == seq);

    now_ns += (*seq % 7) * 1'000'000;
    recorder.OnPacket(*seq, now_ns);
  }
  std::array<uint8_t, 256> out;
  while (const size_t n = recorder.WriteFeedback(out, 1, 2)) {
    const std::optional<rtcp::Block> block =
        rtcp::Block::Parse(std::span<const uint8_t>(out.data(), n));
    FUZZ_CHECK(block.has_value() && block->bytes().size() == n && n <= 200);
    FUZZ_CHECK(rtcp::TransportFeedbackView::Parse(*block).has_value());
  }
  return 0;
}
