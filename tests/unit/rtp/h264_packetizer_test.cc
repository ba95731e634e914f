// Annex B splitting, access-unit grouping and the RFC 6184 mode-1 packetizer, on the real demo
// clip that ffmpeg/x264 wrote at build time (RINGCAST_DEMO_CLIP) and on the RTP captures in
// tests/data/rtp. Packetized access units are depacketized here — independently of the
// packetizer — and must give back the original NAL units byte for byte; ffprobe then decodes
// the result.
#include "rtp/codec/h264_packetizer.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/base64.h"
#include "gtest/gtest.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/keyframe.h"
#include "rtp/rtp_packet.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::h264 {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const Bytes& Clip() {
  static const Bytes* clip = new Bytes(ReadFile(RINGCAST_DEMO_CLIP));
  return *clip;
}

Bytes ToBytes(std::span<const uint8_t> span) { return Bytes(span.begin(), span.end()); }

// RFC 6184 depacketization, written for the test: single NAL units, STAP-A, FU-A (checking
// the S/E bits and that fragments of one unit are not interleaved with anything else).
class Depacketizer {
 public:
  void Add(std::span<const uint8_t> payload) {
    ASSERT_FALSE(payload.empty());
    const uint8_t type = payload[0] & 0x1F;
    if (type == kStapA) {
      ASSERT_FALSE(in_fragment_) << "STAP-A inside an FU-A unit";
      size_t offset = 1;
      while (offset < payload.size()) {
        ASSERT_LE(offset + 2, payload.size());
        const size_t size = (size_t{payload[offset]} << 8) | payload[offset + 1];
        ASSERT_GT(size, 0u);
        ASSERT_LE(offset + 2 + size, payload.size());
        nals.push_back(ToBytes(payload.subspan(offset + 2, size)));
        offset += 2 + size;
      }
    } else if (type == kFuA) {
      ASSERT_GE(payload.size(), 3u);
      const bool start = (payload[1] & 0x80) != 0;
      const bool end = (payload[1] & 0x40) != 0;
      ASSERT_FALSE(start && end) << "a unit that fits in one packet is not fragmented";
      ASSERT_EQ(payload[1] & 0x20, 0) << "FU header R bit";
      if (start) {
        ASSERT_FALSE(in_fragment_) << "FU-A start before the previous unit ended";
        fragment_ = {static_cast<uint8_t>((payload[0] & 0xE0) | (payload[1] & 0x1F))};
        in_fragment_ = true;
      } else {
        ASSERT_TRUE(in_fragment_) << "FU-A continuation without a start";
        ASSERT_EQ(fragment_[0] & 0xE0, payload[0] & 0xE0) << "F/NRI changed inside a unit";
      }
      fragment_.insert(fragment_.end(), payload.begin() + 2, payload.end());
      if (end) {
        nals.push_back(std::move(fragment_));
        fragment_.clear();
        in_fragment_ = false;
      }
    } else {
      ASSERT_FALSE(in_fragment_) << "single NAL unit inside an FU-A unit";
      ASSERT_TRUE(type >= 1 && type <= 23) << int{type};
      nals.push_back(ToBytes(payload));
    }
  }
  bool in_fragment() const { return in_fragment_; }

  std::vector<Bytes> nals;

 private:
  Bytes fragment_;
  bool in_fragment_ = false;
};

std::vector<uint8_t> NalTypes(std::span<const std::span<const uint8_t>> nals) {
  std::vector<uint8_t> types;
  for (std::span<const uint8_t> nal : nals) types.push_back(NalType(nal[0]));
  return types;
}

TEST(AnnexBTest, SplitsOnThreeAndFourByteStartCodesAndStripsTrailingZeros) {
  // Leading junk, a 4-byte start code, a unit with an emulation-prevented 00 00 03, a 3-byte
  // start code, trailing_zero_8bits before a 4-byte start code, an empty unit, a final unit
  // followed by zero bytes at the end of the stream.
  const Bytes stream = {0xAA, 0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0x00, 0x00, 0x03,
                        0x01, 0x00, 0x00, 0x01, 0x68, 0xCE, 0x00, 0x00, 0x00, 0x00,
                        0x01, 0x00, 0x00, 0x01, 0x65, 0x88, 0x80, 0x00, 0x00};
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(stream);
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(ToBytes(nals[0]), (Bytes{0x67, 0x42, 0x00, 0x00, 0x03, 0x01}));
  EXPECT_EQ(ToBytes(nals[1]), (Bytes{0x68, 0xCE}));
  EXPECT_EQ(ToBytes(nals[2]), (Bytes{0x65, 0x88, 0x80}));

  EXPECT_TRUE(SplitAnnexB(Bytes{}).empty());
  EXPECT_TRUE(SplitAnnexB(Bytes{0x00, 0x00, 0x01}).empty());
  EXPECT_TRUE(SplitAnnexB(Bytes{0x67, 0x42, 0x00, 0x1F}).empty());  // no start code at all
}

TEST(AnnexBTest, RealClipSplitsInTheOrderFfmpegWrote) {
  const Bytes& clip = Clip();
  ASSERT_FALSE(clip.empty());
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(clip);
  ASSERT_GE(nals.size(), 4u);
  // x264: SPS, PPS, its version/settings SEI, then the IDR; then one slice per picture.
  const std::vector<uint8_t> types = NalTypes(nals);
  EXPECT_EQ((std::vector<uint8_t>(types.begin(), types.begin() + 4)),
            (std::vector<uint8_t>{kNalSps, kNalPps, kNalSei, kNalIdr}));
  std::map<uint8_t, int> counts;
  for (uint8_t type : types) ++counts[type];
  EXPECT_EQ(counts[kNalSps], 10);
  EXPECT_EQ(counts[kNalPps], 10);
  EXPECT_EQ(counts[kNalIdr], 10);
  EXPECT_EQ(counts[kNalSlice], 240);

  // Nothing but start codes (and the zero byte of a 4-byte one) lies between the units.
  const uint8_t* cursor = clip.data();
  for (std::span<const uint8_t> nal : nals) {
    ASSERT_GE(nal.data(), cursor + 3);
    const uint8_t* gap_end = nal.data();
    EXPECT_EQ(gap_end[-1], 0x01);
    EXPECT_EQ(gap_end[-2], 0x00);
    EXPECT_EQ(gap_end[-3], 0x00);
    for (const uint8_t* p = cursor; p < gap_end - 3; ++p) ASSERT_EQ(*p, 0x00);
    EXPECT_NE(nal.back(), 0x00);
    cursor = nal.data() + nal.size();
  }
  EXPECT_EQ(cursor, clip.data() + clip.size());

  const std::optional<Sps> sps = ParseSps(nals[0]);
  ASSERT_TRUE(sps.has_value());
  EXPECT_EQ(sps->profile_idc, 66);                // baseline ...
  EXPECT_EQ(sps->constraint_flags & 0x40, 0x40);  // ... constrained (constraint_set1)
  EXPECT_EQ(sps->level_idc, 31);
  EXPECT_EQ(sps->width, 640u);
  EXPECT_EQ(sps->height, 360u);
}

TEST(AccessUnitTest, RealClipHas250PicturesWithAKeyframeEverySecond) {
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(Clip());
  const std::vector<AccessUnit> units = GroupAccessUnits(nals);
  ASSERT_EQ(units.size(), 250u);  // 10 s at 25 fps
  size_t total_nals = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    SCOPED_TRACE(i);
    const AccessUnit& au = units[i];
    total_nals += au.nals.size();
    int vcl = 0;
    for (std::span<const uint8_t> nal : au.nals) vcl += IsVcl(NalType(nal[0])) ? 1 : 0;
    EXPECT_EQ(vcl, 1);  // x264 wrote one slice per picture
    const bool keyframe = i % 25 == 0;
    EXPECT_EQ(au.has_idr, keyframe);
    EXPECT_EQ(au.has_sps, keyframe);
    EXPECT_EQ(au.has_pps, keyframe);
    if (keyframe) {
      EXPECT_EQ(NalType(au.nals[0][0]), kNalSps);
      EXPECT_EQ(NalType(au.nals[1][0]), kNalPps);
      EXPECT_EQ(NalType(au.nals.back()[0]), kNalIdr);
    } else {
      EXPECT_EQ(NalTypes(au.nals), std::vector<uint8_t>{kNalSlice});
    }
  }
  EXPECT_EQ(total_nals, nals.size());
}

// The access units GroupAccessUnits finds in the captures' depacketized NAL units must be
// exactly the RTP timestamps the senders gave them: several IDR slices per picture (mode0),
// AUD + SPS/PPS/SEI runs and repeated parameter sets (GStreamer), B-frames, an MBAFF frame.
TEST(AccessUnitTest, CapturedStreamsGroupByTheirRtpTimestamps) {
  for (const char* file : {"h264_ffmpeg_fua.rtp", "h264_ffmpeg_mode0.rtp", "h264_gst_stapa_ext.rtp",
                           "h264_ffmpeg_1080i_422.rtp"}) {
    SCOPED_TRACE(file);
    const std::vector<testing::Packet> packets = testing::ReadCapture(file);
    Depacketizer depacketizer;
    std::vector<uint32_t> nal_timestamps;
    for (const testing::Packet& packet : packets) {
      const std::optional<RtpView> view = RtpView::Parse(packet);
      ASSERT_TRUE(view.has_value());
      depacketizer.Add(view->payload());
      nal_timestamps.resize(depacketizer.nals.size(), view->timestamp());
    }
    // The expected access unit of each NAL unit: a new one whenever the timestamp changes.
    std::vector<size_t> expected;
    size_t au = 0;
    for (size_t i = 0; i < nal_timestamps.size(); ++i) {
      if (i > 0 && nal_timestamps[i] != nal_timestamps[i - 1]) ++au;
      expected.push_back(au);
    }
    std::vector<std::span<const uint8_t>> nals;
    for (const Bytes& nal : depacketizer.nals) nals.emplace_back(nal);
    const std::vector<AccessUnit> units = GroupAccessUnits(nals);
    std::vector<size_t> grouped;
    for (size_t i = 0; i < units.size(); ++i)
      grouped.insert(grouped.end(), units[i].nals.size(), i);
    EXPECT_EQ(grouped, expected);
  }
}

// Packetizes every access unit of `units`, checks each packet's shape, and returns the
// depacketized NAL units of each access unit.
std::vector<std::vector<Bytes>> RoundTrip(const std::vector<AccessUnit>& units,
                                          const PacketizerOptions& options,
                                          size_t* packet_count = nullptr) {
  Packetizer packetizer(options);
  Bytes buffer(options.max_payload_size);
  std::vector<std::vector<Bytes>> out;
  size_t packets = 0;
  for (const AccessUnit& au : units) {
    Depacketizer depacketizer;
    packetizer.Start(au.nals);
    bool saw_last = false;
    std::optional<size_t> fragment_size;  // of the current unit's non-final FU-A fragments
    while (std::optional<PacketizedPayload> payload = packetizer.Next(buffer)) {
      ++packets;
      EXPECT_FALSE(saw_last) << "a payload after the one marked last";
      EXPECT_GT(payload->size, 0u);
      EXPECT_LE(payload->size, options.max_payload_size);
      const std::span<const uint8_t> bytes(buffer.data(), payload->size);
      if (NalType(bytes[0]) == kFuA) {
        const bool end = (bytes[1] & 0x40) != 0;
        if ((bytes[1] & 0x80) != 0) fragment_size.reset();
        if (!end) {
          EXPECT_EQ(payload->size, options.max_payload_size) << "fragments fill the packet";
          fragment_size = payload->size;
        } else if (fragment_size) {
          EXPECT_LE(payload->size, *fragment_size);
        }
      }
      depacketizer.Add(bytes);
      saw_last = payload->last;
      EXPECT_EQ(payload->last, packetizer.done());
    }
    EXPECT_TRUE(saw_last) << "no payload marked last";
    EXPECT_FALSE(depacketizer.in_fragment());
    out.push_back(std::move(depacketizer.nals));
  }
  if (packet_count != nullptr) *packet_count = packets;
  return out;
}

std::vector<std::vector<Bytes>> Copy(const std::vector<AccessUnit>& units) {
  std::vector<std::vector<Bytes>> out;
  for (const AccessUnit& au : units) {
    out.emplace_back();
    for (std::span<const uint8_t> nal : au.nals) out.back().push_back(ToBytes(nal));
  }
  return out;
}

TEST(PacketizerTest, RealClipRoundTripsByteForByte) {
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(Clip());
  const std::vector<AccessUnit> units = GroupAccessUnits(nals);
  ASSERT_EQ(units.size(), 250u);
  size_t packets = 0;
  EXPECT_EQ(RoundTrip(units, {.max_payload_size = 1200}, &packets), Copy(units));
  // ~1 MB in 1200-byte packets, plus one STAP-A per keyframe.
  EXPECT_GT(packets, Clip().size() / 1200);
  EXPECT_EQ(RoundTrip(units, {.max_payload_size = 1200, .aggregate_parameter_sets = false}),
            Copy(units));
  EXPECT_EQ(RoundTrip(units, {.max_payload_size = 500}), Copy(units));
}

TEST(PacketizerTest, TinyPayloadsStillRoundTrip) {
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(Clip());
  std::vector<AccessUnit> units = GroupAccessUnits(nals);
  units.resize(2);  // the keyframe and one P picture: enough, and quick at 1 byte a packet
  for (size_t max : {Packetizer::kMinPayloadSize, size_t{4}, size_t{25}, size_t{31}}) {
    SCOPED_TRACE(max);
    EXPECT_EQ(RoundTrip(units, {.max_payload_size = max}), Copy(units));
  }
}

TEST(PacketizerTest, KeyframeStartsWithSpsAndPpsInOneStapAThenTheIdrAsFuA) {
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(Clip());
  const std::vector<AccessUnit> units = GroupAccessUnits(nals);
  const AccessUnit& keyframe = units[0];
  Packetizer packetizer({.max_payload_size = 1200});
  Bytes buffer(1200);
  packetizer.Start(keyframe.nals);

  std::optional<PacketizedPayload> first = packetizer.Next(buffer);
  ASSERT_TRUE(first.has_value());
  const std::span<const uint8_t> stap(buffer.data(), first->size);
  const ParameterSets sets = FindParameterSets(stap);
  EXPECT_EQ(NalType(stap[0]), kStapA);
  EXPECT_EQ(stap[0] & 0x60, keyframe.nals[0][0] & 0x60);  // NRI: the largest of the units'
  EXPECT_EQ(ToBytes(sets.sps), ToBytes(keyframe.nals[0]));
  EXPECT_EQ(ToBytes(sets.pps), ToBytes(keyframe.nals[1]));
  EXPECT_EQ(first->size, 1 + 2 + keyframe.nals[0].size() + 2 + keyframe.nals[1].size());
  EXPECT_TRUE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, stap));

  std::optional<PacketizedPayload> sei = packetizer.Next(buffer);  // fits: single NAL unit
  ASSERT_TRUE(sei.has_value());
  EXPECT_EQ(NalType(buffer[0]), kNalSei);
  EXPECT_EQ(sei->size, keyframe.nals[2].size());

  const std::span<const uint8_t> idr = keyframe.nals[3];
  ASSERT_GT(idr.size(), 1200u);
  std::optional<PacketizedPayload> fu = packetizer.Next(buffer);
  ASSERT_TRUE(fu.has_value());
  EXPECT_EQ(buffer[0], (idr[0] & 0xE0) | kFuA);  // F and NRI copied into the FU indicator
  EXPECT_EQ(buffer[1], 0x80 | kNalIdr);          // S set, E clear, the unit's type
  EXPECT_TRUE(rtp::IsKeyframe(rtp::KeyframeCodec::kH264,
                              std::span<const uint8_t>(buffer.data(), fu->size)));
  size_t fragments = 1;
  std::optional<PacketizedPayload> last;
  while (std::optional<PacketizedPayload> next = packetizer.Next(buffer)) {
    ++fragments;
    EXPECT_EQ(buffer[0], (idr[0] & 0xE0) | kFuA);
    last = next;
  }
  ASSERT_TRUE(last.has_value());
  EXPECT_TRUE(last->last);
  EXPECT_EQ(buffer[1], 0x40 | kNalIdr);  // E set on the final fragment only
  EXPECT_EQ(fragments, (idr.size() - 1 + 1197) / 1198);
  EXPECT_FALSE(packetizer.Next(buffer).has_value());
}

TEST(PacketizerTest, RefusesABufferSmallerThanMaxPayload) {
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(Clip());
  const std::vector<AccessUnit> units = GroupAccessUnits(nals);
  Packetizer packetizer({.max_payload_size = 1200});
  Bytes small(1199);
  packetizer.Start(units[1].nals);
  EXPECT_FALSE(packetizer.Next(small).has_value());
  EXPECT_FALSE(packetizer.done());  // nothing consumed
}

// Runs `command` through the shell; returns its exit status and what it wrote to stdout.
std::pair<int, std::string> RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, output};
  std::array<char, 4096> chunk;
  size_t n;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), pipe)) > 0) output.append(chunk.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(PacketizerTest, DepacketizedClipDecodesWithFfprobe) {
  if (RunCommand("command -v ffprobe >/dev/null 2>&1").first != 0)
    GTEST_SKIP() << "ffprobe not installed";
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(Clip());
  const std::vector<AccessUnit> units = GroupAccessUnits(nals);
  Bytes annexb;
  for (const std::vector<Bytes>& au : RoundTrip(units, {.max_payload_size = 1200})) {
    for (const Bytes& nal : au) {
      annexb.insert(annexb.end(), {0x00, 0x00, 0x00, 0x01});
      annexb.insert(annexb.end(), nal.begin(), nal.end());
    }
  }
  char dir_template[] = "/tmp/rtp_demo_test.XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string path = dir + "/roundtrip.h264";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(annexb.data()),
              static_cast<std::streamsize>(annexb.size()));
  }
  const auto [status, output] = RunCommand(
      "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
      "stream=nb_read_frames,width,height -of default=noprint_wrappers=1 " +
      path + " 2>" + dir + "/errors.txt");
  const Bytes errors = ReadFile(dir + "/errors.txt");
  std::remove(path.c_str());
  std::remove((dir + "/errors.txt").c_str());
  ::rmdir(dir.c_str());
  EXPECT_EQ(status, 0);
  EXPECT_EQ(std::string(errors.begin(), errors.end()), "");
  EXPECT_EQ(output, "width=640\nheight=360\nnb_read_frames=250\n");
}

TEST(FmtpTest, ProfileLevelIdFromTheSpsAndBase64ParameterSets) {
  const std::vector<std::span<const uint8_t>> nals = SplitAnnexB(Clip());
  const std::optional<std::string> fmtp = BuildFmtp(nals[0], nals[1]);
  ASSERT_TRUE(fmtp.has_value());
  // x264 baseline: profile_idc 66, constraint_set0+1 (constrained baseline), level 3.1.
  EXPECT_EQ(*fmtp, "packetization-mode=1;profile-level-id=42c01f;sprop-parameter-sets=" +
                       core::Base64Encode(nals[0]) + "," + core::Base64Encode(nals[1]));
  EXPECT_EQ(core::Base64Encode(nals[0]).substr(0, 4), "Z0LA");  // 67 42 C0
  EXPECT_FALSE(BuildFmtp(nals[1], nals[1]).has_value());        // not an SPS
  EXPECT_FALSE(BuildFmtp(nals[0], nals[0]).has_value());        // not a PPS
  EXPECT_FALSE(BuildFmtp(nals[0], {}).has_value());
}

}  // namespace
}  // namespace ringcast::rtp::h264
