// Fuzz target for the per-packet RTP layer: RtpView::Parse, the RFC 8285 extension reader, the
// H.264 / H.265 payload inspectors, parameter-set extraction and the SPS parsers.
//
// Each input is parsed as an RTP packet; when that succeeds the payload goes through every
// H.264 and H.265 function, the parameter sets found are parsed and rebuilt into payloads, and
// the header is rewritten with RtpHeaderWriter and parsed back. The raw input is also fed to
// both SPS parsers, since an SPS arrives in-band and in SDP sprop-parameter-sets. Properties
// checked: views stay inside the input, header + payload + padding add up, aggregates rebuilt
// from their units are byte-identical, parsed sizes are consistent, the writer's output parses
// back to the same fields. Seeds (corpus/rtp) are the captured packets of tests/data/rtp, one
// per file, plus the SPS NAL units from them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>

#include "rtp/codec/h264.h"
#include "rtp/codec/h265.h"
#include "rtp/codec/keyframe.h"
#include "rtp/rtp_packet.h"
#include "rtp/seq_num.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ringcast::rtp::LooksLikeRtcp;
using ringcast::rtp::PayloadSet;
using ringcast::rtp::RtpExtensionElement;
using ringcast::rtp::RtpExtensionReader;
using ringcast::rtp::RtpHeaderWriter;
using ringcast::rtp::RtpView;

bool Inside(std::span<const uint8_t> inner, std::span<const uint8_t> outer) {
  if (inner.empty()) return true;
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

bool Equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Touches every byte so that ASan sees an out-of-bounds view.
uint32_t Sum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  for (uint8_t b : bytes) sum += b;
  return sum;
}

void CheckPayloadSet(const PayloadSet& set, std::span<const uint8_t> out, size_t max_size) {
  FUZZ_CHECK(set.count <= PayloadSet::kMaxPayloads);
  for (std::span<const uint8_t> payload : set.view()) {
    FUZZ_CHECK(!payload.empty() && payload.size() <= max_size);
    FUZZ_CHECK(Inside(payload, out));
  }
}

void FuzzH264Sps(std::span<const uint8_t> nal) {
  const std::optional<ringcast::rtp::h264::Sps> sps = ringcast::rtp::h264::ParseSps(nal);
  if (!sps) return;
  FUZZ_CHECK(sps->width >= 1 && sps->width <= sps->coded_width);
  FUZZ_CHECK(sps->height >= 1 && sps->height <= sps->coded_height);
  FUZZ_CHECK(sps->width <= 16384 && sps->height <= 16384);
  FUZZ_CHECK(sps->chroma_format_idc <= 3);
  FUZZ_CHECK((sps->profile_level_id() >> 16) == sps->profile_idc);
}

void FuzzH265Sps(std::span<const uint8_t> nal) {
  const std::optional<ringcast::rtp::h265::Sps> sps = ringcast::rtp::h265::ParseSps(nal);
  if (!sps) return;
  FUZZ_CHECK(sps->width >= 1 && sps->width <= sps->coded_width);
  FUZZ_CHECK(sps->height >= 1 && sps->height <= sps->coded_height);
  FUZZ_CHECK(sps->width <= 16888 && sps->height <= 16888);
  FUZZ_CHECK(sps->max_sub_layers >= 1 && sps->max_sub_layers <= 7);
}

void FuzzH264(std::span<const uint8_t> payload) {
  namespace h264 = ringcast::rtp::h264;
  const std::optional<h264::PayloadInfo> info = h264::InspectPayload(payload);
  const bool keyframe = ringcast::rtp::IsKeyframe(ringcast::rtp::KeyframeCodec::kH264, payload);
  const bool starts = ringcast::rtp::StartsKeyframe(ringcast::rtp::KeyframeCodec::kH264, payload);
  FUZZ_CHECK(!keyframe || info.has_value());
  FUZZ_CHECK(!starts || (info.has_value() && info->starts_nal));
  (void)h264::PayloadType(payload);
  if (const std::optional<h264::FuAHeader> fu = h264::ParseFuA(payload)) {
    FUZZ_CHECK(h264::NalType(fu->nal_header) == (payload[1] & 0x1F));
  }

  std::array<std::span<const uint8_t>, 64> nals{};
  size_t count = 0;
  bool overflow = false;
  const bool well_formed = h264::ForEachNalUnit(payload, [&](std::span<const uint8_t> nal) {
    FUZZ_CHECK(!nal.empty() && Inside(nal, payload));
    Sum(nal);
    FuzzH264Sps(nal);
    if (count < nals.size()) {
      nals[count++] = nal;
    } else {
      overflow = true;
    }
  });
  if (info.has_value() && info->packet_type == h264::kStapA) FUZZ_CHECK(well_formed);
  // A well-formed STAP-A rebuilt from its units is the same bytes, bar the header byte's NRI
  // (RFC 6184 §5.7.1 wants the largest; senders differ).
  if (well_formed && !overflow && !payload.empty() && h264::NalType(payload[0]) == h264::kStapA) {
    std::array<uint8_t, 2048> out{};
    const size_t written = h264::WriteStapA(std::span(nals.data(), count), out);
    if (payload.size() <= out.size()) {
      FUZZ_CHECK(written == payload.size());
      FUZZ_CHECK(Equal(std::span(out).subspan(1, written - 1), payload.subspan(1)));
    }
  }

  const h264::ParameterSets sets = h264::FindParameterSets(payload);
  FUZZ_CHECK(Inside(sets.sps, payload) && Inside(sets.pps, payload));
  if (!sets.sps.empty() && !sets.pps.empty()) {
    std::array<uint8_t, 2 * 1200> out{};
    for (h264::PacketizationMode mode :
         {h264::PacketizationMode::kSingleNal, h264::PacketizationMode::kNonInterleaved}) {
      const PayloadSet built = h264::BuildParameterSetPayloads(sets.sps, sets.pps, mode, 1200, out);
      CheckPayloadSet(built, out, 1200);
      if (built.count == 1) {
        const h264::ParameterSets back = h264::FindParameterSets(built.payloads[0]);
        FUZZ_CHECK(Equal(back.sps, sets.sps) && Equal(back.pps, sets.pps));
      }
    }
  }
  FuzzH264Sps(payload);
}

void FuzzH265(std::span<const uint8_t> payload) {
  namespace h265 = ringcast::rtp::h265;
  const std::optional<h265::PayloadInfo> info = h265::InspectPayload(payload);
  const bool keyframe = ringcast::rtp::IsKeyframe(ringcast::rtp::KeyframeCodec::kH265, payload);
  const bool starts = ringcast::rtp::StartsKeyframe(ringcast::rtp::KeyframeCodec::kH265, payload);
  FUZZ_CHECK(!keyframe || info.has_value());
  FUZZ_CHECK(!starts || (info.has_value() && info->starts_nal));
  (void)h265::PayloadType(payload);
  if (const std::optional<h265::FuHeader> fu = h265::ParseFu(payload)) {
    FUZZ_CHECK(h265::NalType(fu->nal_header[0]) == fu->nal_type);
  }

  std::array<std::span<const uint8_t>, 64> nals{};
  size_t count = 0;
  bool overflow = false;
  const bool well_formed = h265::ForEachNalUnit(payload, [&](std::span<const uint8_t> nal) {
    FUZZ_CHECK(nal.size() >= h265::kNalHeaderSize && Inside(nal, payload));
    Sum(nal);
    FuzzH265Sps(nal);
    if (count < nals.size()) {
      nals[count++] = nal;
    } else {
      overflow = true;
    }
  });
  if (well_formed && !overflow && count > 0 && h265::NalType(payload[0]) == h265::kAp) {
    std::array<uint8_t, 2048> out{};
    const size_t written = h265::WriteAp(std::span(nals.data(), count), out);
    if (payload.size() <= out.size() && written != 0) {
      FUZZ_CHECK(written == payload.size());
      FUZZ_CHECK(Equal(std::span(out).subspan(2, written - 2), payload.subspan(2)));
    }
  }

  const h265::ParameterSets sets = h265::FindParameterSets(payload);
  FUZZ_CHECK(Inside(sets.vps, payload) && Inside(sets.sps, payload) && Inside(sets.pps, payload));
  if (!sets.vps.empty() && !sets.sps.empty() && !sets.pps.empty()) {
    std::array<uint8_t, 3 * 1200> out{};
    const PayloadSet built =
        h265::BuildParameterSetPayloads(sets.vps, sets.sps, sets.pps, 1200, out);
    CheckPayloadSet(built, out, 1200);
  }
  FuzzH265Sps(payload);
}

void FuzzHeaderWriter(const RtpView& view) {
  std::array<uint8_t, 1500> out{};
  RtpHeaderWriter writer(out, {.marker = view.marker(),
                               .payload_type = view.payload_type(),
                               .sequence_number = view.sequence_number(),
                               .timestamp = view.timestamp(),
                               .ssrc = view.ssrc()});
  FUZZ_CHECK(writer.ok());
  if (view.has_two_byte_extensions()) writer.UseTwoByteExtensions();
  RtpExtensionReader reader = view.extensions();
  while (std::optional<RtpExtensionElement> element = reader.Next()) {
    writer.AddExtension(element->id, element->data);
  }
  const size_t size = writer.Finish();
  FUZZ_CHECK(size >= 12 && size <= out.size() && size % 4 == 0);
  const std::optional<RtpView> back = RtpView::Parse(std::span<const uint8_t>(out.data(), size));
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->marker() == view.marker() && back->payload_type() == view.payload_type());
  FUZZ_CHECK(back->sequence_number() == view.sequence_number());
  FUZZ_CHECK(back->timestamp() == view.timestamp() && back->ssrc() == view.ssrc());
  FUZZ_CHECK(back->payload().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  (void)LooksLikeRtcp(input);
  if (const std::optional<RtpView> view = RtpView::Parse(input)) {
    FUZZ_CHECK(view->header_size() + view->payload().size() + view->padding_size() == size);
    FUZZ_CHECK(Inside(view->payload(), input) && Inside(view->extension_data(), input));
    FUZZ_CHECK(Inside(view->csrc_bytes(), input));
    uint32_t sum = 0;
    for (size_t i = 0; i < view->csrc_count(); ++i) sum += view->csrc(i);
    RtpExtensionReader reader = view->extensions();
    while (std::optional<RtpExtensionElement> element = reader.Next()) {
      FUZZ_CHECK(element->id != 0 && Inside(element->data, view->extension_data()));
      sum += Sum(element->data);
    }
    for (uint8_t id : {1, 2, 14, 200}) {
      if (const std::optional<std::span<const uint8_t>> found = view->FindExtension(id)) {
        FUZZ_CHECK(Inside(*found, view->extension_data()));
      }
    }
    (void)sum;
    ringcast::rtp::SeqUnwrapper unwrapper;
    unwrapper.Unwrap(view->sequence_number());
    FUZZ_CHECK(unwrapper.Unwrap(static_cast<uint16_t>(view->sequence_number() + 1)) ==
               int64_t{view->sequence_number()} + 1);
    FuzzHeaderWriter(*view);
    FuzzH264(view->payload());
    FuzzH265(view->payload());
  }
  FuzzH264Sps(input);
  FuzzH265Sps(input);
  return 0;
}
