#include "rtp/codec/h265.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/codec/keyframe.h"
#include "rtp/rtp_packet.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::h265 {
namespace {

using testing::Packet;
using testing::ReadCapture;

std::span<const uint8_t> PayloadOf(const Packet& packet) {
  const std::optional<RtpView> view = RtpView::Parse(packet);
  EXPECT_TRUE(view.has_value());
  return view ? view->payload() : std::span<const uint8_t>();
}

std::set<size_t> Matching(const std::vector<Packet>& packets,
                          bool (*predicate)(KeyframeCodec, std::span<const uint8_t>)) {
  std::set<size_t> result;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (predicate(KeyframeCodec::kH265, PayloadOf(packets[i]))) result.insert(i);
  }
  return result;
}

TEST(H265Test, KeyframesExactlyOnCapturedIrapPackets) {
  // ffmpeg: AP(VPS, SPS, PPS), FU prefix SEI, FU IDR_N_LP (20) at 3; again with a CRA (21).
  const std::vector<Packet> ffmpeg = ReadCapture("h265_ffmpeg_ap.rtp");
  ASSERT_EQ(ffmpeg.size(), 58u);
  EXPECT_EQ(Matching(ffmpeg, rtp::IsKeyframe), (std::set<size_t>{0, 3, 27, 30}));
  EXPECT_EQ(Matching(ffmpeg, rtp::StartsKeyframe), (std::set<size_t>{0, 3, 27, 30}));

  // GStreamer: VPS, SPS, PPS single NAL units (twice: x265's and the payloader's), FU IDR at
  // 8; a CRA at 49 with no parameter sets in front of it.
  const std::vector<Packet> gst = ReadCapture("h265_gst_single.rtp");
  ASSERT_EQ(gst.size(), 66u);
  EXPECT_EQ(Matching(gst, rtp::IsKeyframe), (std::set<size_t>{8, 49}));
  EXPECT_EQ(Matching(gst, rtp::StartsKeyframe), (std::set<size_t>{0, 1, 5, 6, 8, 49}));
}

TEST(H265Test, NoKeyframeOnTrailingPicturesOrFragments) {
  size_t checked = 0;
  for (const char* file : {"h265_ffmpeg_ap.rtp", "h265_gst_single.rtp"}) {
    for (const Packet& packet : ReadCapture(file)) {
      const std::span<const uint8_t> payload = PayloadOf(packet);
      const std::optional<PayloadInfo> info = InspectPayload(payload);
      ASSERT_TRUE(info.has_value());
      // TRAIL_N/R, RASL (8, 9) and RADL pictures, whole or fragmented; IRAP continuations.
      if (info->first_nal_type < kNalBlaWLp ||
          (IsIrap(info->first_nal_type) && !info->starts_nal)) {
        ++checked;
        EXPECT_FALSE(rtp::IsKeyframe(rtp::KeyframeCodec::kH265, payload));
        EXPECT_FALSE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH265, payload));
      }
    }
  }
  EXPECT_GT(checked, 90u);
}

TEST(H265Test, InspectsCapturedPayloads) {
  const std::vector<Packet> ffmpeg = ReadCapture("h265_ffmpeg_ap.rtp");
  std::optional<PayloadInfo> info = InspectPayload(PayloadOf(ffmpeg[0]));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->packet_type, kAp);
  EXPECT_EQ(info->first_nal_type, kNalVps);
  EXPECT_TRUE(info->has_vps && info->has_sps && info->has_pps);
  EXPECT_FALSE(info->has_irap);

  info = InspectPayload(PayloadOf(ffmpeg[1]));  // FU start of a prefix SEI
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->first_nal_type, kNalPrefixSei);
  EXPECT_FALSE(rtp::IsKeyframe(rtp::KeyframeCodec::kH265, PayloadOf(ffmpeg[1])));

  const std::optional<FuHeader> idr = ParseFu(PayloadOf(ffmpeg[3]));
  ASSERT_TRUE(idr.has_value());
  EXPECT_EQ(idr->nal_type, kNalIdrNLp);
  EXPECT_TRUE(idr->start);
  EXPECT_FALSE(idr->end);
  EXPECT_EQ(NalType(idr->nal_header[0]), kNalIdrNLp);
  EXPECT_EQ(idr->nal_header[1], PayloadOf(ffmpeg[3])[1]);
  const std::optional<FuHeader> cra_end = ParseFu(PayloadOf(ffmpeg[31]));
  ASSERT_TRUE(cra_end.has_value());
  EXPECT_EQ(cra_end->nal_type, kNalCra);
  EXPECT_TRUE(cra_end->end);
  EXPECT_FALSE(ParseFu(PayloadOf(ffmpeg[0])).has_value());

  const std::vector<Packet> gst = ReadCapture("h265_gst_single.rtp");
  EXPECT_EQ(PayloadType(PayloadOf(gst[0])), kNalVps);
  EXPECT_EQ(PayloadType(PayloadOf(gst[1])), kNalSps);
  EXPECT_EQ(PayloadType(PayloadOf(gst[2])), kNalPps);
  EXPECT_EQ(PayloadType(PayloadOf(gst[8])), kFu);
  const std::array<uint8_t, 1> one = {0x40};
  EXPECT_FALSE(PayloadType(one).has_value());
}

TEST(H265Test, ParameterSets) {
  const std::vector<Packet> ffmpeg = ReadCapture("h265_ffmpeg_ap.rtp");
  const ParameterSets ap = FindParameterSets(PayloadOf(ffmpeg[0]));
  EXPECT_EQ(ap.vps.size(), 24u);
  EXPECT_EQ(ap.sps.size(), 42u);
  EXPECT_EQ(ap.pps.size(), 7u);
  const ParameterSets none = FindParameterSets(PayloadOf(ffmpeg[3]));
  EXPECT_TRUE(none.vps.empty() && none.sps.empty() && none.pps.empty());

  const std::vector<Packet> gst = ReadCapture("h265_gst_single.rtp");
  EXPECT_EQ(FindParameterSets(PayloadOf(gst[0])).vps.size(), 23u);
  EXPECT_EQ(FindParameterSets(PayloadOf(gst[1])).sps.size(), 49u);
  EXPECT_EQ(FindParameterSets(PayloadOf(gst[2])).pps.size(), 7u);
}

TEST(H265Test, MalformedAggregates) {
  const std::vector<Packet> ffmpeg = ReadCapture("h265_ffmpeg_ap.rtp");
  const std::span<const uint8_t> ap = PayloadOf(ffmpeg[0]);
  // Cut anywhere but between two units (after VPS: 2 + 2 + 24, after SPS: + 2 + 42), the AP
  // is malformed.
  const std::set<size_t> unit_ends = {28, 72, ap.size()};
  for (size_t n = 0; n < ap.size(); ++n) {
    const std::span<const uint8_t> cut = ap.first(n);
    const bool whole_units = unit_ends.contains(n);
    EXPECT_EQ(InspectPayload(cut).has_value(), whole_units) << n;
    EXPECT_EQ(rtp::StartsKeyframe(rtp::KeyframeCodec::kH265, cut), whole_units) << n;
    EXPECT_EQ(rtp::IsKeyframe(rtp::KeyframeCodec::kH265, cut), whole_units && n > 28)
        << n;  // the SPS is in
    EXPECT_EQ(ForEachNalUnit(cut, [](std::span<const uint8_t>) {}), whole_units) << n;
  }
  // A 1-byte unit inside an AP has no room for its NAL header.
  const std::array<uint8_t, 5> tiny_unit = {0x60, 0x01, 0x00, 0x01, 0x40};
  EXPECT_FALSE(InspectPayload(tiny_unit).has_value());
  const std::array<uint8_t, 2> short_fu = {0x62, 0x01};
  EXPECT_FALSE(InspectPayload(short_fu).has_value());
  EXPECT_FALSE(ParseFu(short_fu).has_value());
}

// SPS values as ffprobe and tshark decode them (tests/data/rtp/README.md).
TEST(H265SpsTest, CapturedSps) {
  const std::optional<Sps> ffmpeg =
      ParseSps(FindParameterSets(PayloadOf(ReadCapture("h265_ffmpeg_ap.rtp")[0])).sps);
  ASSERT_TRUE(ffmpeg.has_value());
  EXPECT_EQ(ffmpeg->profile_space, 0);
  EXPECT_FALSE(ffmpeg->tier_flag);
  EXPECT_EQ(ffmpeg->profile_idc, 1);  // Main
  EXPECT_EQ(ffmpeg->level_idc, 60);   // level 2
  EXPECT_EQ(ffmpeg->max_sub_layers, 1u);
  EXPECT_EQ(ffmpeg->chroma_format_idc, 1u);
  EXPECT_EQ(ffmpeg->bit_depth_luma, 8u);
  EXPECT_EQ(ffmpeg->width, 320u);
  EXPECT_EQ(ffmpeg->height, 240u);
  EXPECT_NE(ffmpeg->profile_compatibility_flags & (1u << (31 - 1)), 0u);  // Main compatible

  const std::vector<Packet> gst_packets = ReadCapture("h265_gst_single.rtp");
  const std::span<const uint8_t> gst_nal = FindParameterSets(PayloadOf(gst_packets[1])).sps;
  const std::optional<Sps> gst = ParseSps(gst_nal);
  ASSERT_TRUE(gst.has_value());
  EXPECT_EQ(gst->profile_idc, 4);  // format range extensions
  EXPECT_EQ(gst->level_idc, 60);
  EXPECT_EQ(gst->chroma_format_idc, 3u);
  EXPECT_EQ(gst->bit_depth_luma, 12u);
  EXPECT_EQ(gst->bit_depth_chroma, 12u);
  EXPECT_EQ(gst->coded_width, 320u);
  EXPECT_EQ(gst->coded_height, 184u);
  EXPECT_EQ(gst->width, 320u);
  EXPECT_EQ(gst->height, 180u);

  for (size_t n = 0; n < gst_nal.size(); ++n) {
    const std::optional<Sps> cut = ParseSps(gst_nal.first(n));
    if (cut) {
      EXPECT_EQ(cut->height, 180u) << n;
    }
  }
  EXPECT_FALSE(ParseSps(gst_nal.first(8)).has_value());
  EXPECT_FALSE(ParseSps(FindParameterSets(PayloadOf(gst_packets[0])).vps).has_value());
}

TEST(H265BuilderTest, ApReproducesFfmpeg) {
  const std::vector<Packet> ffmpeg = ReadCapture("h265_ffmpeg_ap.rtp");
  const std::span<const uint8_t> captured = PayloadOf(ffmpeg[0]);
  const ParameterSets sets = FindParameterSets(captured);
  std::array<uint8_t, 3600> out{};
  const PayloadSet built = BuildParameterSetPayloads(sets.vps, sets.sps, sets.pps, 1200, out);
  ASSERT_EQ(built.count, 1u);
  EXPECT_TRUE(std::ranges::equal(built.payloads[0], captured));
  const std::array<std::span<const uint8_t>, 3> nals = {sets.vps, sets.sps, sets.pps};
  std::vector<uint8_t> ap(captured.size());
  EXPECT_EQ(WriteAp(nals, ap), captured.size());
  EXPECT_TRUE(std::ranges::equal(ap, captured));
  EXPECT_EQ(WriteAp(nals, std::span<uint8_t>(ap).first(captured.size() - 1)), 0u);
}

TEST(H265BuilderTest, SingleNalsWhenTooBig) {
  const std::vector<Packet> gst = ReadCapture("h265_gst_single.rtp");
  const std::span<const uint8_t> vps = PayloadOf(gst[0]);
  const std::span<const uint8_t> sps = PayloadOf(gst[1]);
  const std::span<const uint8_t> pps = PayloadOf(gst[2]);
  std::array<uint8_t, 3600> out{};
  const PayloadSet one = BuildParameterSetPayloads(vps, sps, pps, 1200, out);
  ASSERT_EQ(one.count, 1u);
  EXPECT_EQ(one.payloads[0].size(), 2u + 3 * 2 + vps.size() + sps.size() + pps.size());
  EXPECT_TRUE(rtp::IsKeyframe(rtp::KeyframeCodec::kH265, one.payloads[0]));
  EXPECT_TRUE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH265, one.payloads[0]));
  const ParameterSets back = FindParameterSets(one.payloads[0]);
  EXPECT_TRUE(std::ranges::equal(back.sps, sps));

  const PayloadSet three = BuildParameterSetPayloads(vps, sps, pps, 60, out);
  ASSERT_EQ(three.count, 3u);
  EXPECT_TRUE(std::ranges::equal(three.payloads[0], vps));
  EXPECT_TRUE(std::ranges::equal(three.payloads[1], sps));
  EXPECT_TRUE(std::ranges::equal(three.payloads[2], pps));
  EXPECT_EQ(BuildParameterSetPayloads(vps, sps, pps, 40, out).count, 0u);  // SPS is 49 bytes
  EXPECT_EQ(BuildParameterSetPayloads(vps, sps, {}, 1200, out).count, 0u);
}

}  // namespace
}  // namespace ringcast::rtp::h265
