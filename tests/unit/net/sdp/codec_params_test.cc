#include "net/sdp/codec_params.h"

#include <cstdio>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/sdp/parser.h"
#include "tests/unit/net/sdp/fixtures.h"

namespace ringcast::net::sdp {
namespace {

using ::testing::ElementsAre;
using testing::ReadFixture;
using ::testing::SizeIs;

Session Parse(const std::string& fixture) {
  absl::StatusOr<Session> session = ParseSdp(ReadFixture(fixture));
  EXPECT_TRUE(session.ok()) << session.status();
  return session.ok() ? *std::move(session) : Session{};
}

TrackDescription Describe(const Media& media, int pt) {
  absl::StatusOr<TrackDescription> track = DescribeTrack(media, pt);
  EXPECT_TRUE(track.ok()) << track.status();
  return track.ok() ? *std::move(track) : TrackDescription{};
}

std::vector<int> NalTypes265(const std::vector<std::vector<uint8_t>>& nals) {
  std::vector<int> types;
  for (const auto& nal : nals) types.push_back((nal[0] >> 1) & 0x3f);  // RFC 7798 §1.1.4
  return types;
}

TEST(SdpCodecParamsTest, FfmpegH264HighProfileAndOpus) {
  Session s = Parse("ffmpeg_announce_h264_opus.sdp");
  TrackDescription video = Describe(s.media[0], 96);
  EXPECT_EQ(video.codec, Codec::kH264);
  EXPECT_EQ(CodecName(video.codec), "H264");
  EXPECT_EQ(video.clock_rate, 90000u);
  EXPECT_EQ(video.channels, 0);
  EXPECT_EQ(video.fmtp,
            "packetization-mode=1; sprop-parameter-sets=Z2QADazZQUH7ARAAAAMAEAAAAwMg8UKZYA==,"
            "aOvjyyLA; profile-level-id=64000D");
  ASSERT_TRUE(video.h264.has_value());
  const H264Params& h264 = *video.h264;
  EXPECT_EQ(h264.packetization_mode, 1);
  ASSERT_TRUE(h264.profile_level_id.has_value());
  EXPECT_EQ(h264.profile_level_id->profile_idc, 100);  // High
  EXPECT_EQ(h264.profile_level_id->profile_iop, 0);
  EXPECT_EQ(h264.profile_level_id->level_idc, 13);  // 1.3
  ASSERT_THAT(h264.sps, SizeIs(1));
  ASSERT_THAT(h264.pps, SizeIs(1));
  EXPECT_EQ(h264.sps[0].size(), 25u);
  EXPECT_EQ(h264.sps[0][0], 0x67);
  EXPECT_EQ(h264.pps[0], (std::vector<uint8_t>{0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0}));
  // The SPS says the same as profile-level-id.
  EXPECT_EQ(H264ProfileLevelIdFromSps(h264.sps[0]), h264.profile_level_id);

  TrackDescription audio = Describe(s.media[1], 97);
  EXPECT_EQ(audio.codec, Codec::kOpus);
  EXPECT_EQ(audio.clock_rate, 48000u);
  EXPECT_EQ(audio.channels, 2);
  EXPECT_EQ(audio.fmtp, "");
  ASSERT_TRUE(audio.opus.has_value());
  EXPECT_FALSE(audio.opus->stereo);
}

TEST(SdpCodecParamsTest, FfmpegConstrainedBaselineAndAac) {
  Session s = Parse("ffmpeg_announce_h264_aac.sdp");
  TrackDescription video = Describe(s.media[0], 96);
  const H264ProfileLevelId id = *video.h264->profile_level_id;  // 42C00D
  EXPECT_EQ(id.profile_idc, 66);                                // Baseline
  EXPECT_TRUE(id.ConstraintSet(0));
  EXPECT_TRUE(id.ConstraintSet(1));  // constrained baseline
  EXPECT_FALSE(id.ConstraintSet(2));
  EXPECT_EQ(id.level_idc, 13);
  EXPECT_EQ(H264ProfileLevelIdFromSps(video.h264->sps[0]), id);
  EXPECT_EQ(video.h264->pps[0], (std::vector<uint8_t>{0x68, 0xcb, 0x83, 0xcb, 0x20}));

  TrackDescription audio = Describe(s.media[1], 97);
  EXPECT_EQ(audio.codec, Codec::kAAC);
  EXPECT_EQ(audio.encoding_name, "MPEG4-GENERIC");
  EXPECT_EQ(audio.clock_rate, 44100u);
  EXPECT_EQ(audio.channels, 1);
  ASSERT_TRUE(audio.aac.has_value());
  EXPECT_EQ(audio.aac->mode, "AAC-hbr");
  EXPECT_EQ(audio.aac->config, (std::vector<uint8_t>{0x12, 0x08, 0x56, 0xe5, 0x00}));
  EXPECT_EQ(audio.aac->object_type, 2);  // AAC LC
  EXPECT_EQ(audio.aac->sample_rate, 44100u);
  EXPECT_EQ(audio.aac->channel_config, 1);
  EXPECT_EQ(audio.aac->size_length, 13);
  EXPECT_EQ(audio.aac->index_length, 3);
  EXPECT_EQ(audio.aac->index_delta_length, 3);
  EXPECT_EQ(audio.aac->profile_level_id, 1);
}

TEST(SdpCodecParamsTest, High444PredictiveProfile) {
  Session s = Parse("ffmpeg_announce_h264_444_opus.sdp");
  TrackDescription video = Describe(s.media[0], 96);
  EXPECT_EQ(video.h264->profile_level_id->profile_idc, 244);  // F4
  EXPECT_EQ(video.h264->sps[0][1], 0xf4);
}

TEST(SdpCodecParamsTest, FfmpegH265ParameterSets) {
  Session s = Parse("ffmpeg_announce_h265_opus.sdp");
  TrackDescription video = Describe(s.media[0], 96);
  EXPECT_EQ(video.codec, Codec::kH265);
  ASSERT_TRUE(video.h265.has_value());
  EXPECT_THAT(NalTypes265(video.h265->vps), ElementsAre(32));
  EXPECT_THAT(NalTypes265(video.h265->sps), ElementsAre(33));
  EXPECT_THAT(NalTypes265(video.h265->pps), ElementsAre(34));
  EXPECT_EQ(video.h265->vps[0].size(), 24u);
  EXPECT_EQ(video.h265->pps[0], (std::vector<uint8_t>{0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40}));
  EXPECT_FALSE(video.h265->profile_id.has_value());
}

TEST(SdpCodecParamsTest, TpLinkH265ProfileTierLevel) {
  Session s = Parse("tplink_h265_describe.sdp");
  TrackDescription video = Describe(s.media[0], 96);
  EXPECT_EQ(video.h265->profile_id, 1);
  EXPECT_EQ(video.h265->level_id, 153);
  EXPECT_EQ(video.h265->tier_flag, 0);
  EXPECT_THAT(NalTypes265(video.h265->vps), ElementsAre(32));
  EXPECT_THAT(NalTypes265(video.h265->sps), ElementsAre(33));
  EXPECT_THAT(NalTypes265(video.h265->pps), ElementsAre(34));
  // The third section (m=application/tp-link ... smart/0/25000) has no RTP payload types.
  EXPECT_THAT(DescribeTracks(s.media[2]), ::testing::IsEmpty());
}

TEST(SdpCodecParamsTest, GstreamerDescribe) {
  Session s = Parse("gst_describe_h264_opus.sdp");
  TrackDescription video = Describe(s.media[0], 96);
  EXPECT_EQ(video.h264->profile_level_id->profile_idc, 66);
  EXPECT_EQ(video.h264->profile_level_id->level_idc, 21);  // 42c015
  EXPECT_TRUE(video.h264->level_asymmetry_allowed);
  EXPECT_EQ(video.h264->sps[0][0], 0x67);
  EXPECT_EQ(video.h264->pps[0], (std::vector<uint8_t>{0x68, 0xcb, 0x8c, 0xb2}));
  TrackDescription audio = Describe(s.media[1], 97);
  EXPECT_EQ(audio.codec, Codec::kOpus);  // "OPUS" in GStreamer's rtpmap
  EXPECT_EQ(audio.encoding_name, "OPUS");
  EXPECT_FALSE(audio.opus->sprop_stereo);
  EXPECT_EQ(audio.fmtp, "sprop-stereo=0;sprop-maxcapturerate=48000");

  Session aac = Parse("gst_describe_h264_aac.sdp");
  TrackDescription mp4a = Describe(aac.media[1], 97);
  EXPECT_EQ(mp4a.aac->config, (std::vector<uint8_t>{0x12, 0x08, 0x56, 0xe5, 0x00}));
  EXPECT_EQ(mp4a.aac->profile_level_id, 2);

  Session h265 = Parse("gst_describe_h265_pcma.sdp");
  EXPECT_THAT(NalTypes265(Describe(h265.media[0], 96).h265->vps), ElementsAre(32));
  TrackDescription pcma = Describe(h265.media[1], 8);
  EXPECT_EQ(pcma.codec, Codec::kPCMA);
  EXPECT_EQ(pcma.clock_rate, 8000u);
  EXPECT_EQ(pcma.channels, 1);
}

TEST(SdpCodecParamsTest, Vp8Vp9AndStaticPayloadTypes) {
  Session gst = Parse("gst_describe_vp8_vp9_pcmu.sdp");
  EXPECT_EQ(Describe(gst.media[0], 96).codec, Codec::kVP8);
  TrackDescription vp9 = Describe(gst.media[1], 98);
  EXPECT_EQ(vp9.codec, Codec::kVP9);
  EXPECT_FALSE(vp9.vp9->profile_id.has_value());
  EXPECT_EQ(Describe(gst.media[2], 0).codec, Codec::kPCMU);

  // ffmpeg writes no a=rtpmap for the static types.
  Session ff = Parse("ffmpeg_rtp_h264_pcmu_pcma.sdp");
  ASSERT_FALSE(ff.media[1].RtpMapFor(0).has_value());
  TrackDescription pcmu = Describe(ff.media[1], 0);
  EXPECT_EQ(pcmu.codec, Codec::kPCMU);
  EXPECT_EQ(pcmu.encoding_name, "PCMU");
  EXPECT_EQ(pcmu.clock_rate, 8000u);
  EXPECT_EQ(pcmu.channels, 1);
  TrackDescription pcma = Describe(ff.media[2], 8);
  EXPECT_EQ(pcma.codec, Codec::kPCMA);
  // No sprop-parameter-sets: the parameter sets come in band.
  TrackDescription h264 = Describe(ff.media[0], 96);
  EXPECT_TRUE(h264.h264->sps.empty());
  EXPECT_FALSE(h264.h264->profile_level_id.has_value());
}

TEST(SdpCodecParamsTest, ChromeOfferH264VariantsVp9Av1) {
  Session s = Parse("chrome_recvonly_offer.sdp");
  std::vector<TrackDescription> tracks = DescribeTracks(s.media[0]);
  std::vector<std::string> summary;
  for (const TrackDescription& t : tracks) {
    std::string line = std::to_string(t.payload_type) + " " + std::string(CodecName(t.codec));
    if (t.h264) {
      char plid[8];
      std::snprintf(plid, sizeof(plid), "%02x%02x%02x", t.h264->profile_level_id->profile_idc,
                    t.h264->profile_level_id->profile_iop, t.h264->profile_level_id->level_idc);
      line += " " + std::string(plid) + " mode" + std::to_string(t.h264->packetization_mode);
    }
    if (t.vp9) line += " profile" + std::to_string(*t.vp9->profile_id);
    summary.push_back(line);
  }
  // rtx, red, ulpfec and flexfec are left out.
  EXPECT_THAT(summary,
              ElementsAre("96 VP8", "98 VP9 profile0", "100 VP9 profile2", "102 VP9 profile1",
                          "127 H264 42001f mode1", "125 H264 42001f mode0", "108 H264 42e01f mode1",
                          "124 H264 42e01f mode0", "123 H264 4d001f mode1", "35 H264 4d001f mode0",
                          "37 H264 f4001f mode1", "39 H264 f4001f mode0", "41 AV1"));
  EXPECT_THAT(tracks[6].rtcp_fb,
              ElementsAre("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"));
  EXPECT_TRUE(tracks[6].h264->level_asymmetry_allowed);
  EXPECT_TRUE(tracks[6].h264->profile_level_id->ConstraintSet(1));   // 42e01f: constrained
  EXPECT_FALSE(tracks[4].h264->profile_level_id->ConstraintSet(1));  // 42001f

  TrackDescription opus = Describe(s.media[1], 111);
  EXPECT_TRUE(opus.opus->stereo);
  EXPECT_TRUE(opus.opus->useinbandfec);
  EXPECT_THAT(opus.rtcp_fb, ElementsAre("transport-cc"));
  std::vector<TrackDescription> audio = DescribeTracks(s.media[1]);
  ASSERT_THAT(audio, SizeIs(3));  // opus, PCMU, PCMA
  EXPECT_EQ(audio[1].codec, Codec::kPCMU);
  EXPECT_EQ(audio[2].codec, Codec::kPCMA);

  EXPECT_EQ(DescribeTrack(s.media[0], 97).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(DescribeTrack(s.media[0], 55).status().code(), absl::StatusCode::kNotFound);
}

TEST(SdpCodecParamsTest, HikvisionFmtpUnderTheWrongPayloadType) {
  // a=rtpmap:104 MPEG4-GENERIC/16000 with a=fmtp:97 ...: the section's only fmtp is used.
  Session s = Parse("hikvision_v5_describe.sdp");
  TrackDescription audio = Describe(s.media[1], 104);
  EXPECT_EQ(audio.codec, Codec::kAAC);
  EXPECT_EQ(audio.clock_rate, 16000u);
  EXPECT_EQ(audio.aac->config, (std::vector<uint8_t>{0x14, 0x08}));
  EXPECT_EQ(audio.aac->sample_rate, 16000u);
  EXPECT_EQ(audio.aac->channel_config, 1);
  TrackDescription video = Describe(s.media[0], 96);
  EXPECT_EQ(video.h264->packetization_mode, 0);
  EXPECT_EQ(video.h264->profile_level_id->profile_idc, 77);  // Main, 4D0014
  EXPECT_EQ(video.h264->profile_level_id->level_idc, 20);
  EXPECT_TRUE(video.h264->sps.empty());
  // G.722.1 is not for ringcast.
  Session v3 = Parse("hikvision_v3_describe.sdp");
  EXPECT_EQ(DescribeTrack(v3.media[1], 98).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(SdpCodecParamsTest, DahuaCamerasAndEzvizMislabel) {
  Session vto = Parse("dahua_vto2202f_describe.sdp");
  TrackDescription video = Describe(vto.media[0], 96);
  EXPECT_EQ(video.h264->sps[0][0], 0x67);
  EXPECT_EQ(video.h264->pps[0], (std::vector<uint8_t>{0x68, 0xce, 0x3c, 0x80, 0x00}));
  // The backchannel lists AAC without config: those payload types are left out.
  absl::StatusOr<TrackDescription> aac = DescribeTrack(vto.media[3], 104);
  EXPECT_EQ(aac.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(aac.status().message()),
            "sdp: payload type 104 (MPEG4-GENERIC): no a=fmtp (config is required)");
  std::vector<TrackDescription> back = DescribeTracks(vto.media[3]);
  std::vector<std::string> names;
  for (const TrackDescription& t : back) {
    names.push_back(std::string(CodecName(t.codec)) + "/" + std::to_string(t.clock_rate));
  }
  EXPECT_THAT(names, ElementsAre("PCMA/16000", "PCMA/8000", "PCMU/16000", "PCMU/8000"));

  Session c5a = Parse("dahua_c5a_h265_describe.sdp");
  TrackDescription h265 = Describe(c5a.media[0], 98);
  EXPECT_EQ(h265.h265->profile_id, 1);
  EXPECT_THAT(NalTypes265(h265.h265->sps), ElementsAre(33));

  // H265 in a=rtpmap with H.264 parameters and an empty sprop-parameter-sets.
  Session ezviz = Parse("ezviz_c6n_describe.sdp");
  TrackDescription mislabelled = Describe(ezviz.media[0], 96);
  EXPECT_EQ(mislabelled.codec, Codec::kH265);
  EXPECT_TRUE(mislabelled.h265->vps.empty());

  Session h3c = Parse("h3c_vcp_describe.sdp");
  EXPECT_EQ(Describe(h3c.media[0], 105).h264->profile_level_id->profile_idc, 100);
}

TEST(SdpCodecParamsTest, BrokenParametersAreErrors) {
  struct Case {
    const char* media;
    int pt;
    const char* error;
  };
  const Case cases[] = {
      {"a=rtpmap:96 H264/90000\r\na=fmtp:96 sprop-parameter-sets=Z0L*,aM4=\r\n", 96,
       "sdp: payload type 96 (H264): sprop-parameter-sets: 'Z0L*' is not base64"},
      {"a=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=42e0\r\n", 96,
       "sdp: payload type 96 (H264): profile-level-id '42e0' is not 6 hex digits"},
      {"a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=3\r\n", 96,
       "sdp: payload type 96 (H264): packetization-mode must be 0, 1 or 2"},
      {"a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=one\r\n", 96,
       "sdp: payload type 96 (H264): packetization-mode: 'one' is not a number"},
      {"a=rtpmap:96 h265/90000\r\na=fmtp:96 sprop-vps=@@@@\r\n", 96,
       "sdp: payload type 96 (h265): sprop-vps: '@@@@' is not base64"},
      {"a=rtpmap:96 MPEG4-GENERIC/48000/2\r\na=fmtp:96 mode=AAC-hbr\r\n", 96,
       "sdp: payload type 96 (MPEG4-GENERIC): config is missing"},
      {"a=rtpmap:96 mpeg4-generic/48000/2\r\na=fmtp:96 config=11G0\r\n", 96,
       "sdp: payload type 96 (mpeg4-generic): config '11G0' is not hex"},
      {"a=rtpmap:96 mpeg4-generic/48000/2\r\na=fmtp:96 config=11\r\n", 96,
       "sdp: payload type 96 (mpeg4-generic): config '11' is not an AudioSpecificConfig"},
      {"a=rtpmap:96 AV1/90000\r\na=fmtp:96 profile=x\r\n", 96,
       "sdp: payload type 96 (AV1): profile: 'x' is not a number"},
      {"", 96, "sdp: payload type 96 has no a=rtpmap"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.media);
    absl::StatusOr<Session> s = ParseSdp(std::string("v=0\r\nm=video 0 RTP/AVP 96\r\n") + c.media);
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<TrackDescription> track = DescribeTrack(s->media[0], c.pt);
    ASSERT_FALSE(track.ok());
    EXPECT_EQ(std::string(track.status().message()), c.error);
  }
}

TEST(SdpCodecParamsTest, ProfileLevelIdParsing) {
  EXPECT_EQ(ParseH264ProfileLevelId("42e01f"), (H264ProfileLevelId{0x42, 0xe0, 0x1f}));
  EXPECT_EQ(ParseH264ProfileLevelId("4D001F"), (H264ProfileLevelId{0x4d, 0x00, 0x1f}));
  EXPECT_FALSE(ParseH264ProfileLevelId("42e01").has_value());
  EXPECT_FALSE(ParseH264ProfileLevelId("42e01fa").has_value());
  EXPECT_FALSE(ParseH264ProfileLevelId("42e0g1").has_value());
  EXPECT_FALSE(H264ProfileLevelIdFromSps(std::vector<uint8_t>{0x68, 1, 2, 3}).has_value());
  EXPECT_FALSE(H264ProfileLevelIdFromSps(std::vector<uint8_t>{0x67, 1, 2}).has_value());
}

}  // namespace
}  // namespace ringcast::net::sdp
