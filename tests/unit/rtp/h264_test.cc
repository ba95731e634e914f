#include "rtp/codec/h264.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/codec/keyframe.h"
#include "rtp/rtp_packet.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::h264 {
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
    if (predicate(KeyframeCodec::kH264, PayloadOf(packets[i]))) result.insert(i);
  }
  return result;
}

// Keyframe packets of each capture, by index, read off the NAL types tshark and
// tests/data/rtp/README.md list: every other packet is a P/B slice, an FU-A continuation,
// an SEI or a PPS.
struct KeyframeCase {
  const char* file;
  size_t packets;
  std::set<size_t> keyframe;
  std::set<size_t> starts;
};

TEST(H264Test, KeyframesExactlyOnCapturedIdrPackets) {
  const KeyframeCase cases[] = {
      // STAP-A(SPS, PPS, SEI), FU-A IDR start ×2 GOPs.
      {"h264_ffmpeg_fua.rtp", 56, {0, 1, 28, 29}, {0, 1, 28, 29}},
      // SPS, PPS, SEI, then four single-NAL IDR slices; only the first slice starts a picture.
      {"h264_ffmpeg_mode0.rtp", 31, {3, 4, 5, 6}, {0, 3}},
      // STAP-A(AUD, SPS, PPS, SEI, SPS, PPS) + FU-A IDR, and again at frame 25.
      {"h264_gst_stapa_ext.rtp", 84, {0, 1, 77, 78}, {0, 1, 77, 78}},
      // One 1080i IDR frame: STAP-A(SPS, PPS, SEI, SEI) + 8 FU-A fragments.
      {"h264_ffmpeg_1080i_422.rtp", 9, {0, 1}, {0, 1}},
  };
  for (const KeyframeCase& c : cases) {
    SCOPED_TRACE(c.file);
    const std::vector<Packet> packets = ReadCapture(c.file);
    ASSERT_EQ(packets.size(), c.packets);
    EXPECT_EQ(Matching(packets, rtp::IsKeyframe), c.keyframe);
    EXPECT_EQ(Matching(packets, rtp::StartsKeyframe), c.starts);
  }
}

TEST(H264Test, NoKeyframeOnPFramesOrFragments) {
  const std::vector<Packet> packets = ReadCapture("h264_ffmpeg_fua.rtp");
  size_t slices = 0;
  for (const Packet& packet : packets) {
    const std::span<const uint8_t> payload = PayloadOf(packet);
    const std::optional<PayloadInfo> info = InspectPayload(payload);
    ASSERT_TRUE(info.has_value());
    const bool idr_fragment = info->packet_type == kFuA && info->first_nal_type == kNalIdr;
    if (info->packet_type == kNalSlice || (idr_fragment && !info->starts_nal)) {
      ++slices;
      EXPECT_FALSE(rtp::IsKeyframe(rtp::KeyframeCodec::kH264, payload));
      EXPECT_FALSE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, payload));
      EXPECT_FALSE(info->has_idr);
    }
  }
  EXPECT_EQ(slices, 56u - 4u);
}

TEST(H264Test, InspectsCapturedPayloads) {
  const std::vector<Packet> gst = ReadCapture("h264_gst_stapa_ext.rtp");
  std::optional<PayloadInfo> info = InspectPayload(PayloadOf(gst[0]));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->packet_type, kStapA);
  EXPECT_EQ(info->first_nal_type, kNalAud);
  EXPECT_TRUE(info->starts_nal);
  EXPECT_TRUE(info->has_sps);
  EXPECT_TRUE(info->has_pps);
  EXPECT_FALSE(info->has_idr);

  info = InspectPayload(PayloadOf(gst[1]));  // FU-A start of the IDR
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->packet_type, kFuA);
  EXPECT_EQ(info->first_nal_type, kNalIdr);
  EXPECT_TRUE(info->starts_nal);
  EXPECT_TRUE(info->has_idr);
  EXPECT_TRUE(info->has_first_idr_slice);

  // GStreamer aggregates AUD + P slice into a STAP-A: not a keyframe.
  info = InspectPayload(PayloadOf(gst[80]));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->packet_type, kStapA);
  EXPECT_FALSE(info->has_idr || info->has_sps);
  EXPECT_FALSE(rtp::IsKeyframe(rtp::KeyframeCodec::kH264, PayloadOf(gst[80])));
  EXPECT_FALSE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, PayloadOf(gst[80])));

  const std::optional<FuAHeader> start = ParseFuA(PayloadOf(gst[1]));
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->nal_header, 0x65);  // NRI 3, IDR
  EXPECT_TRUE(start->start);
  EXPECT_FALSE(start->end);
  const std::optional<FuAHeader> end = ParseFuA(PayloadOf(gst[4]));
  ASSERT_TRUE(end.has_value());
  EXPECT_FALSE(end->start);
  EXPECT_TRUE(end->end);
  EXPECT_FALSE(ParseFuA(PayloadOf(gst[0])).has_value());  // a STAP-A

  const std::vector<Packet> mode0 = ReadCapture("h264_ffmpeg_mode0.rtp");
  EXPECT_EQ(PayloadType(PayloadOf(mode0[0])), kNalSps);
  EXPECT_EQ(PayloadType(PayloadOf(mode0[1])), kNalPps);
  EXPECT_EQ(PayloadType(PayloadOf(mode0[2])), kNalSei);
  EXPECT_EQ(PayloadType(PayloadOf(mode0[3])), kNalIdr);
  EXPECT_FALSE(PayloadType({}).has_value());
}

TEST(H264Test, ParameterSetsFromStapAAndSingleNals) {
  const std::vector<Packet> fua = ReadCapture("h264_ffmpeg_fua.rtp");
  ParameterSets sets = FindParameterSets(PayloadOf(fua[0]));
  EXPECT_EQ(sets.sps.size(), 25u);
  EXPECT_EQ(sets.pps.size(), 6u);
  EXPECT_EQ(sets.sps[0], 0x67);
  EXPECT_EQ(sets.pps[0], 0x68);
  sets = FindParameterSets(PayloadOf(fua[1]));  // FU-A: nothing
  EXPECT_TRUE(sets.sps.empty());
  EXPECT_TRUE(sets.pps.empty());

  const std::vector<Packet> mode0 = ReadCapture("h264_ffmpeg_mode0.rtp");
  EXPECT_EQ(FindParameterSets(PayloadOf(mode0[0])).sps.size(), 25u);
  EXPECT_TRUE(FindParameterSets(PayloadOf(mode0[0])).pps.empty());
  EXPECT_EQ(FindParameterSets(PayloadOf(mode0[1])).pps.size(), 6u);

  const std::vector<Packet> gst = ReadCapture("h264_gst_stapa_ext.rtp");
  std::vector<uint8_t> types;
  EXPECT_TRUE(ForEachNalUnit(
      PayloadOf(gst[0]), [&](std::span<const uint8_t> nal) { types.push_back(NalType(nal[0])); }));
  EXPECT_EQ(types, (std::vector<uint8_t>{kNalAud, kNalSps, kNalPps, kNalSei, kNalSps, kNalPps}));
  EXPECT_EQ(FindParameterSets(PayloadOf(gst[0])).sps.size(), 29u);
}

TEST(H264Test, MalformedAggregatesAndFragments) {
  const std::vector<Packet> gst = ReadCapture("h264_gst_stapa_ext.rtp");
  const std::span<const uint8_t> stap = PayloadOf(gst[0]);
  // Every truncation of STAP-A(AUD 2, SPS 29, PPS 4, SEI 692, SPS 29, PPS 4) is malformed
  // except those that end between two units.
  std::set<size_t> unit_ends;
  size_t end = 1;
  for (size_t size : {2, 29, 4, 692, 29, 4}) unit_ends.insert(end += 2 + size);
  ASSERT_EQ(end, stap.size());
  for (size_t n = 0; n < stap.size(); ++n) {
    const std::span<const uint8_t> cut = stap.first(n);
    const bool whole_units = unit_ends.contains(n);
    size_t delivered = 0;
    const bool ok = ForEachNalUnit(cut, [&](std::span<const uint8_t>) { ++delivered; });
    EXPECT_EQ(ok, whole_units) << n;
    EXPECT_EQ(InspectPayload(cut).has_value(), whole_units) << n;
    EXPECT_EQ(rtp::IsKeyframe(rtp::KeyframeCodec::kH264, cut), whole_units && n > 5)
        << n;  // the SPS is in
    EXPECT_EQ(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, cut), whole_units && n > 5) << n;
    EXPECT_LT(delivered, 6u);
  }
  std::vector<uint8_t> zero_size(stap.begin(), stap.end());
  zero_size[1] = 0;
  zero_size[2] = 0;
  EXPECT_FALSE(InspectPayload(zero_size).has_value());
  const std::array<uint8_t, 1> lone_fu = {0x7C};
  EXPECT_FALSE(InspectPayload(lone_fu).has_value());
  EXPECT_FALSE(ParseFuA(lone_fu).has_value());
  // Interleaved-mode packet types are reported, not looked into.
  const std::array<uint8_t, 4> fu_b = {0x7D, 0x85, 0x00, 0x01};
  const std::optional<PayloadInfo> info = InspectPayload(fu_b);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->packet_type, kFuB);
  EXPECT_FALSE(rtp::IsKeyframe(rtp::KeyframeCodec::kH264, fu_b));
}

// SPS values as ffprobe and tshark decode them (tests/data/rtp/README.md).
TEST(H264SpsTest, CapturedSps) {
  struct Case {
    const char* file;
    uint8_t profile_idc;
    uint8_t constraints;
    uint8_t level_idc;
    uint32_t chroma_format_idc;
    bool frame_mbs_only;
    uint32_t coded_width, coded_height, width, height;
    uint32_t profile_level_id;
  };
  const Case cases[] = {
      {"h264_ffmpeg_fua.rtp", 100, 0x00, 13, 1, true, 320, 240, 320, 240, 0x64000D},
      {"h264_ffmpeg_mode0.rtp", 244, 0x00, 13, 3, true, 320, 240, 320, 240, 0xF4000D},
      {"h264_gst_stapa_ext.rtp", 66, 0xC0, 12, 1, true, 320, 192, 320, 180, 0x42C00C},
      {"h264_ffmpeg_1080i_422.rtp", 122, 0x00, 40, 2, false, 1920, 1088, 1920, 1080, 0x7A0028},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::vector<Packet> packets = ReadCapture(c.file);
    const std::span<const uint8_t> sps_nal = FindParameterSets(PayloadOf(packets[0])).sps;
    ASSERT_FALSE(sps_nal.empty());
    const std::optional<Sps> sps = ParseSps(sps_nal);
    ASSERT_TRUE(sps.has_value());
    EXPECT_EQ(sps->profile_idc, c.profile_idc);
    EXPECT_EQ(sps->constraint_flags, c.constraints);
    EXPECT_EQ(sps->level_idc, c.level_idc);
    EXPECT_EQ(sps->chroma_format_idc, c.chroma_format_idc);
    EXPECT_EQ(sps->bit_depth_luma, 8u);
    EXPECT_EQ(sps->frame_mbs_only, c.frame_mbs_only);
    EXPECT_EQ(sps->coded_width, c.coded_width);
    EXPECT_EQ(sps->coded_height, c.coded_height);
    EXPECT_EQ(sps->width, c.width);
    EXPECT_EQ(sps->height, c.height);
    EXPECT_EQ(sps->profile_level_id(), c.profile_level_id);
    EXPECT_EQ(sps->sps_id, 0u);

    // Any prefix either fails or, if it still holds every field read, gives the same answer.
    for (size_t n = 0; n < sps_nal.size(); ++n) {
      const std::optional<Sps> cut = ParseSps(sps_nal.first(n));
      if (cut) {
        EXPECT_EQ(cut->height, c.height) << n;
      }
    }
    EXPECT_FALSE(ParseSps(sps_nal.first(5)).has_value());
  }
  // tshark's reading of the ffmpeg and GStreamer SPS beyond the size fields.
  const std::optional<Sps> ffmpeg =
      ParseSps(FindParameterSets(PayloadOf(ReadCapture("h264_ffmpeg_fua.rtp")[0])).sps);
  ASSERT_TRUE(ffmpeg.has_value());
  EXPECT_EQ(ffmpeg->pic_order_cnt_type, 0u);
  EXPECT_EQ(ffmpeg->max_num_ref_frames, 4u);
  EXPECT_EQ(ffmpeg->log2_max_frame_num, 4u);
  const std::optional<Sps> gst =
      ParseSps(FindParameterSets(PayloadOf(ReadCapture("h264_gst_stapa_ext.rtp")[0])).sps);
  ASSERT_TRUE(gst.has_value());
  EXPECT_EQ(gst->pic_order_cnt_type, 2u);
  EXPECT_EQ(gst->max_num_ref_frames, 3u);
}

TEST(H264SpsTest, RejectsOtherNalTypes) {
  const std::vector<Packet> mode0 = ReadCapture("h264_ffmpeg_mode0.rtp");
  EXPECT_FALSE(ParseSps(PayloadOf(mode0[1])).has_value());  // the PPS
  EXPECT_FALSE(ParseSps({}).has_value());
}

// An SPS no capture has: High profile with scaling lists in the SPS, POC type 1, and fields
// large enough that the NAL needs emulation prevention bytes. Written bit by bit here (not by
// any ringcast code), then escaped per H.264 §7.4.1.
class SpsBuilder {
 public:
  void Bits(uint32_t value, int n) {
    for (int i = n - 1; i >= 0; --i) bits_.push_back((value >> i) & 1);
  }
  void Ue(uint32_t value) {
    const uint64_t v = uint64_t{value} + 1;
    int length = 0;
    while ((v >> length) > 1) ++length;
    Bits(0, length);
    for (int i = length; i >= 0; --i) bits_.push_back((v >> i) & 1);
  }
  void Se(int32_t value) {
    Ue(static_cast<uint32_t>(value > 0 ? 2 * int64_t{value} - 1 : -2 * int64_t{value}));
  }
  // NAL header 0x67 + RBSP with stop bit + emulation prevention. Counts inserted 0x03s.
  std::vector<uint8_t> Nal(int* escapes) {
    bits_.push_back(1);
    while (bits_.size() % 8) bits_.push_back(0);
    std::vector<uint8_t> rbsp;
    for (size_t i = 0; i < bits_.size(); i += 8) {
      uint8_t byte = 0;
      for (size_t j = 0; j < 8; ++j) byte = static_cast<uint8_t>((byte << 1) | bits_[i + j]);
      rbsp.push_back(byte);
    }
    std::vector<uint8_t> nal = {0x67};
    int zeros = 0;
    *escapes = 0;
    for (uint8_t byte : rbsp) {
      if (zeros >= 2 && byte <= 3) {
        nal.push_back(0x03);
        ++*escapes;
        zeros = 0;
      }
      nal.push_back(byte);
      zeros = byte == 0 ? zeros + 1 : 0;
    }
    return nal;
  }

 private:
  std::vector<uint8_t> bits_;
};

TEST(H264SpsTest, ScalingListsPocType1AndEmulationPrevention) {
  SpsBuilder b;
  b.Bits(100, 8);  // profile_idc High
  b.Bits(0, 8);
  b.Bits(41, 8);  // level 4.1
  b.Ue(3);        // sps_id
  b.Ue(1);        // chroma_format_idc 4:2:0
  b.Ue(0);
  b.Ue(0);
  b.Bits(0, 1);  // qpprime
  b.Bits(1, 1);  // seq_scaling_matrix_present_flag
  for (int i = 0; i < 8; ++i) {
    if (i == 0) {  // 4x4: deltas that end the list early (next_scale reaches 0)
      b.Bits(1, 1);
      b.Se(5);
      b.Se(-13);
    } else if (i == 6) {  // 8x8: all 64 deltas, extremes included
      b.Bits(1, 1);
      for (int j = 0; j < 64; ++j) b.Se(j % 3 == 0 ? -128 : (j % 3 == 1 ? 127 : 1));
    } else {
      b.Bits(0, 1);
    }
  }
  b.Ue(2);           // log2_max_frame_num_minus4
  b.Ue(1);           // pic_order_cnt_type
  b.Bits(0, 1);      // delta_pic_order_always_zero_flag
  b.Se(-(1 << 30));  // offset_for_non_ref_pic: 31 leading zero bits
  b.Se(0);           // offset_for_top_to_bottom_field
  b.Ue(3);           // num_ref_frames_in_pic_order_cnt_cycle
  b.Se(131072);      // offset_for_ref_frame[0..2]
  b.Se(0);
  b.Se(-1);
  b.Ue(2);       // max_num_ref_frames
  b.Bits(0, 1);  // gaps
  b.Ue(119);     // 1920
  b.Ue(67);      // 1088
  b.Bits(1, 1);  // frame_mbs_only_flag
  b.Bits(1, 1);  // direct_8x8_inference_flag
  b.Bits(1, 1);  // frame_cropping_flag
  b.Ue(0);
  b.Ue(0);
  b.Ue(0);
  b.Ue(4);
  b.Bits(0, 1);  // vui_parameters_present_flag
  int escapes = 0;
  const std::vector<uint8_t> nal = b.Nal(&escapes);
  // The escapes land in the POC offsets, which are read and dropped; bit_reader_test checks
  // the unescaping itself, the real H.265 SPS (an escape inside profile_tier_level) too.
  ASSERT_GT(escapes, 0);

  const std::optional<Sps> sps = ParseSps(nal);
  ASSERT_TRUE(sps.has_value());
  EXPECT_EQ(sps->profile_idc, 100);
  EXPECT_EQ(sps->level_idc, 41);
  EXPECT_EQ(sps->sps_id, 3u);
  EXPECT_EQ(sps->log2_max_frame_num, 6u);
  EXPECT_EQ(sps->pic_order_cnt_type, 1u);
  EXPECT_EQ(sps->max_num_ref_frames, 2u);
  EXPECT_EQ(sps->width, 1920u);
  EXPECT_EQ(sps->height, 1080u);

  // A scaling delta outside -128..127 is invalid.
  SpsBuilder bad;
  bad.Bits(100, 8);
  bad.Bits(0, 8);
  bad.Bits(41, 8);
  bad.Ue(0);
  bad.Ue(1);
  bad.Ue(0);
  bad.Ue(0);
  bad.Bits(0, 1);
  bad.Bits(1, 1);
  bad.Bits(1, 1);
  bad.Se(300);
  for (int i = 0; i < 64; ++i) bad.Ue(0);
  EXPECT_FALSE(ParseSps(bad.Nal(&escapes)).has_value());
}

TEST(H264SpsTest, RejectsCroppingThePictureAway) {
  SpsBuilder b;
  b.Bits(66, 8);
  b.Bits(0xC0, 8);
  b.Bits(30, 8);
  b.Ue(0);
  b.Ue(0);  // log2_max_frame_num_minus4
  b.Ue(2);  // poc type 2
  b.Ue(1);
  b.Bits(0, 1);
  b.Ue(0);  // 16 px wide
  b.Ue(0);  // 16 px high
  b.Bits(1, 1);
  b.Bits(1, 1);
  b.Bits(1, 1);  // cropping: 4 + 4 units of 2 px, all 16 columns
  b.Ue(4);
  b.Ue(4);
  b.Ue(0);
  b.Ue(0);
  int escapes = 0;
  EXPECT_FALSE(ParseSps(b.Nal(&escapes)).has_value());
}

TEST(H264BuilderTest, StapAForMidStreamJoin) {
  const std::vector<Packet> fua = ReadCapture("h264_ffmpeg_fua.rtp");
  const ParameterSets sets = FindParameterSets(PayloadOf(fua[28]));  // STAP-A(SPS, PPS)
  ASSERT_FALSE(sets.sps.empty());
  std::array<uint8_t, 2400> out{};
  const PayloadSet built =
      BuildParameterSetPayloads(sets.sps, sets.pps, PacketizationMode::kNonInterleaved, 1200, out);
  ASSERT_EQ(built.count, 1u);
  const std::span<const uint8_t> captured = PayloadOf(fua[28]);
  ASSERT_EQ(built.payloads[0].size(), captured.size());
  // ffmpeg writes NRI 0 in its STAP-A header; RFC 6184 §5.7.1 asks for the largest NRI (3).
  EXPECT_EQ(captured[0], 0x18);
  EXPECT_EQ(built.payloads[0][0], 0x78);
  EXPECT_TRUE(std::equal(captured.begin() + 1, captured.end(), built.payloads[0].begin() + 1));
  EXPECT_TRUE(rtp::IsKeyframe(rtp::KeyframeCodec::kH264, built.payloads[0]));
  EXPECT_TRUE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, built.payloads[0]));

  // Too big for one STAP-A (1 + 2 + 25 + 2 + 6 = 36 bytes): two single NAL units.
  const PayloadSet split =
      BuildParameterSetPayloads(sets.sps, sets.pps, PacketizationMode::kNonInterleaved, 30, out);
  ASSERT_EQ(split.count, 2u);
  EXPECT_TRUE(std::ranges::equal(split.payloads[0], sets.sps));
  EXPECT_TRUE(std::ranges::equal(split.payloads[1], sets.pps));
  // packetization-mode=0: never a STAP-A.
  const PayloadSet mode0 =
      BuildParameterSetPayloads(sets.sps, sets.pps, PacketizationMode::kSingleNal, 1200, out);
  ASSERT_EQ(mode0.count, 2u);
  EXPECT_EQ(mode0.view().size(), 2u);
  EXPECT_TRUE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, mode0.payloads[0]));
  // SPS larger than a payload, buffer too small, missing PPS.
  EXPECT_EQ(
      BuildParameterSetPayloads(sets.sps, sets.pps, PacketizationMode::kNonInterleaved, 20, out)
          .count,
      0u);
  EXPECT_EQ(BuildParameterSetPayloads(sets.sps, sets.pps, PacketizationMode::kNonInterleaved, 1200,
                                      std::span<uint8_t>(out).first(35))
                .count,
            0u);
  EXPECT_EQ(
      BuildParameterSetPayloads(sets.sps, {}, PacketizationMode::kNonInterleaved, 1200, out).count,
      0u);
}

TEST(H264BuilderTest, WriteStapAReproducesGStreamer) {
  const std::vector<Packet> gst = ReadCapture("h264_gst_stapa_ext.rtp");
  for (size_t index : {size_t{0}, size_t{77}, size_t{80}}) {
    const std::span<const uint8_t> captured = PayloadOf(gst[index]);
    std::vector<std::span<const uint8_t>> nals;
    ASSERT_TRUE(
        ForEachNalUnit(captured, [&](std::span<const uint8_t> nal) { nals.push_back(nal); }));
    std::vector<uint8_t> out(captured.size());
    ASSERT_EQ(WriteStapA(nals, out), captured.size()) << index;
    EXPECT_TRUE(std::ranges::equal(out, captured)) << index;
    EXPECT_EQ(WriteStapA(nals, std::span<uint8_t>(out).first(captured.size() - 1)), 0u);
  }
  EXPECT_EQ(WriteStapA({}, std::span<uint8_t>()), 0u);
}

}  // namespace
}  // namespace ringcast::rtp::h264
