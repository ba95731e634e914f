// DemoSource on a real core::Ring with the real demo clip: the track it announces, pacing,
// numbering, the loop back to the first keyframe, stall recovery, Stop/Start, refusing bad
// clips, and no heap allocation per packet. Timing is only checked within generous bounds:
// these tests check behaviour, not the machine's scheduler.
#include "rtp/demo_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "gtest/gtest.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/h264_packetizer.h"
#include "rtp/codec/keyframe.h"
#include "tests/unit/allocation_counter.h"

namespace ringcast::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A base64 decoder written for the test (RFC 4648 §4), to read sprop-parameter-sets back.
Bytes Base64Decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  Bytes out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    const size_t value = kAlphabet.find(c);
    if (value == std::string::npos) return {};
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<uint8_t>(bits >> count));
    }
  }
  return out;
}

// A temporary directory, removed with its files.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/demo_source_test.XXXXXX";
    path_ = ::mkdtemp(name) != nullptr ? name : "";
  }
  ~TempDir() {
    if (!path_.empty()) std::system(("rm -rf '" + path_ + "'").c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Received {
  uint16_t seq;
  uint32_t ts;
  bool marker;
  Bytes payload;
};

class RecordingObserver final : public SourceObserver {
 public:
  void OnSourceReady(std::vector<TrackInfo> tracks) override {
    ++ready_calls;
    ready_at_packet.push_back(packets.size());
    this->tracks = std::move(tracks);
  }
  void OnSourcePacket(size_t track, const RtpView& packet) override {
    EXPECT_EQ(track, 0u);
    EXPECT_EQ(packet.payload_type(), 96);
    EXPECT_LE(packet.packet().size(), 1200u + kRtpFixedHeaderSize);
    ssrc = packet.ssrc();
    const std::span<const uint8_t> payload = packet.payload();
    packets.push_back({packet.sequence_number(), packet.timestamp(), packet.marker(),
                       Bytes(payload.begin(), payload.end())});
    if (packet.marker()) ++access_units;
    if (on_packet) on_packet();
  }
  void OnSourceLost(std::string_view reason) override { ++lost_calls; }

  int ready_calls = 0;
  int lost_calls = 0;
  std::vector<size_t> ready_at_packet;
  std::vector<TrackInfo> tracks;
  std::vector<Received> packets;
  size_t access_units = 0;
  uint32_t ssrc = 0;
  std::function<void()> on_packet;
};

// An access unit as received: its packets' payloads, timestamp and first sequence number.
struct ReceivedAu {
  uint32_t ts;
  uint16_t first_seq;
  std::vector<Bytes> payloads;
  bool keyframe = false;  // one of its packets starts an IDR slice
};

// Groups the packets into access units by the marker bit, checking on the way that sequence
// numbers are contiguous (mod 2^16) and that every packet of one access unit has its timestamp.
std::vector<ReceivedAu> Split(const std::vector<Received>& packets) {
  std::vector<ReceivedAu> units;
  bool open = false;
  for (size_t i = 0; i < packets.size(); ++i) {
    const Received& p = packets[i];
    if (i > 0) {
      EXPECT_EQ(p.seq, static_cast<uint16_t>(packets[i - 1].seq + 1)) << "packet " << i;
    }
    if (!open) {
      units.push_back({p.ts, p.seq, {}});
      open = true;
    }
    EXPECT_EQ(p.ts, units.back().ts) << "packet " << i;
    units.back().payloads.push_back(p.payload);
    const std::optional<h264::PayloadInfo> info = h264::InspectPayload(p.payload);
    if (info && info->has_idr) units.back().keyframe = true;
    if (p.marker) open = false;
  }
  if (open) units.pop_back();  // cut off mid access unit when the test stopped
  return units;
}

std::unique_ptr<core::Ring> MakeRing() {
  auto ring = core::Ring::Create(core::RingOptions{.entries = 64});
  if (!ring.ok()) {
    ADD_FAILURE() << ring.status();
    return nullptr;
  }
  return std::move(ring).value();
}

// Runs the loop for `duration_ns` (or until `done`), waking at least every 10 ms.
template <typename Done>
void RunFor(core::Ring& ring, int64_t duration_ns, Done done) {
  const int64_t until = core::NowNs() + duration_ns;
  while (!done() && core::NowNs() < until) ring.RunOnce(10 * core::kNsPerMs);
}
void RunFor(core::Ring& ring, int64_t duration_ns) {
  RunFor(ring, duration_ns, [] { return false; });
}

// The clip's access units, split by the code under test in h264_packetizer_test.cc.
struct ClipInfo {
  Bytes bytes;
  std::vector<std::span<const uint8_t>> nals;
  std::vector<h264::AccessUnit> units;
};
const ClipInfo& Clip() {
  static ClipInfo* info = [] {
    auto* clip = new ClipInfo;
    clip->bytes = ReadFile(RINGCAST_DEMO_CLIP);
    clip->nals = h264::SplitAnnexB(clip->bytes);
    clip->units = h264::GroupAccessUnits(clip->nals);
    return clip;
  }();
  return *info;
}

// The payloads the packetizer makes of clip access unit `index`: what must come out.
std::vector<Bytes> ExpectedPayloads(const h264::AccessUnit& au, size_t max_payload = 1200) {
  h264::Packetizer packetizer({.max_payload_size = max_payload});
  Bytes buffer(max_payload);
  std::vector<Bytes> payloads;
  packetizer.Start(au.nals);
  while (auto payload = packetizer.Next(buffer)) {
    payloads.emplace_back(buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(payload->size));
  }
  return payloads;
}

TEST(DemoSourceTest, AnnouncesTheTrackAndPlaysInRealTime) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->access_unit_count(), 250u);
  EXPECT_EQ(observer.ready_calls, 0);
  EXPECT_TRUE(observer.packets.empty());

  (*source)->Start();
  EXPECT_EQ(observer.ready_calls, 1);
  EXPECT_TRUE(observer.packets.empty()) << "nothing is sent from inside Start()";
  RunFor(*ring, 1200 * core::kNsPerMs);
  (*source)->Stop();

  EXPECT_EQ(observer.ready_calls, 1);
  EXPECT_EQ(observer.lost_calls, 0);
  ASSERT_EQ(observer.tracks.size(), 1u);
  const TrackInfo& track = observer.tracks[0];
  EXPECT_EQ(track.media, "video");
  EXPECT_EQ(track.encoding_name, "H264");
  EXPECT_EQ(track.payload_type, 96);
  EXPECT_EQ(track.clock_rate, 90000u);
  EXPECT_EQ(track.keyframe_codec, KeyframeCodec::kH264);

  // profile-level-id from the clip's SPS, and sprop-parameter-sets that decode back to it.
  const Bytes sps(Clip().nals[0].begin(), Clip().nals[0].end());
  const Bytes pps(Clip().nals[1].begin(), Clip().nals[1].end());
  const std::optional<h264::Sps> parsed = h264::ParseSps(sps);
  ASSERT_TRUE(parsed.has_value());
  char profile_level_id[7];
  std::snprintf(profile_level_id, sizeof(profile_level_id), "%06x", parsed->profile_level_id());
  EXPECT_EQ(std::string(profile_level_id), "42c01f");
  const std::string prefix = std::string("packetization-mode=1;profile-level-id=") +
                             profile_level_id + ";sprop-parameter-sets=";
  ASSERT_EQ(track.fmtp.substr(0, prefix.size()), prefix) << track.fmtp;
  const std::string sprop = track.fmtp.substr(prefix.size());
  const size_t comma = sprop.find(',');
  ASSERT_NE(comma, std::string::npos);
  EXPECT_EQ(Base64Decode(sprop.substr(0, comma)), sps);
  EXPECT_EQ(Base64Decode(sprop.substr(comma + 1)), pps);

  // ~30 access units in 1.2 s; numbering and timestamps exact.
  const std::vector<ReceivedAu> units = Split(observer.packets);
  EXPECT_GE(units.size(), 20u);
  EXPECT_LE(units.size(), 40u);
  ASSERT_FALSE(units.empty());
  EXPECT_EQ(observer.ssrc, DemoOptions{}.ssrc);
  EXPECT_EQ(units[0].first_seq, 0);
  EXPECT_EQ(units[0].ts, 0u);
  EXPECT_TRUE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, units[0].payloads[0]))
      << "first packet: SPS+PPS STAP-A";
  EXPECT_TRUE(units[0].keyframe);
  for (size_t i = 0; i < units.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(units[i].ts, 3600u * i);
    EXPECT_EQ(units[i].payloads, ExpectedPayloads(Clip().units[i]));
    EXPECT_EQ(units[i].keyframe, i % 25 == 0);
  }
  EXPECT_EQ((*source)->access_units_sent(), observer.access_units);
  EXPECT_EQ((*source)->packets_sent(), observer.packets.size());
}

// Checks that access unit `loop_at` (the first after a loop) is the clip's first again, a
// keyframe, with numbering running straight through.
void ExpectContinuousLoop(const std::vector<ReceivedAu>& units, size_t loop_at, uint32_t ts_step,
                          const std::vector<h264::AccessUnit>& clip_units) {
  ASSERT_GT(units.size(), loop_at + 1);
  for (size_t i = 1; i < units.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(units[i].ts, static_cast<uint32_t>(units[i - 1].ts + ts_step));
    EXPECT_EQ(units[i].first_seq,
              static_cast<uint16_t>(units[i - 1].first_seq + units[i - 1].payloads.size()));
    EXPECT_EQ(units[i].payloads, ExpectedPayloads(clip_units[i % loop_at]));
  }
  EXPECT_TRUE(units[loop_at].keyframe);
  EXPECT_TRUE(rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, units[loop_at].payloads[0]));
  EXPECT_FALSE(units[loop_at - 1].keyframe);
}

TEST(DemoSourceTest, ShortClipLoopsBackToItsKeyframeWithContinuousNumbering) {
  if (std::system("command -v ffmpeg >/dev/null 2>&1") != 0) GTEST_SKIP() << "no ffmpeg";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string clip = dir.path() + "/short.h264";
  const std::string command =
      "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x180:rate=25 "
      "-t 1 -c:v libx264 -profile:v baseline -pix_fmt yuv420p -bf 0 "
      "-x264-params keyint=25:min-keyint=25:scenecut=0:repeat-headers=1 -f h264 " +
      clip;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const Bytes bytes = ReadFile(clip);
  const std::vector<std::span<const uint8_t>> nals = h264::SplitAnnexB(bytes);
  const std::vector<h264::AccessUnit> clip_units = h264::GroupAccessUnits(nals);
  ASSERT_EQ(clip_units.size(), 25u);

  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  // Numbering starts just short of both wraps, so the loop also crosses them.
  auto source = DemoSource::Create(
      *ring, clip, observer, {.first_sequence_number = 65500, .first_timestamp = 0xFFFF0000u});
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->access_unit_count(), 25u);
  (*source)->Start();
  RunFor(*ring, 3 * core::kNsPerSec, [&] { return observer.access_units >= 30; });
  (*source)->Stop();
  EXPECT_EQ((*source)->loops(), 1u);

  const std::vector<ReceivedAu> units = Split(observer.packets);
  ASSERT_GE(units.size(), 30u);
  EXPECT_EQ(units[0].first_seq, 65500);
  EXPECT_EQ(units[0].ts, 0xFFFF0000u);
  ExpectContinuousLoop(units, 25, 3600, clip_units);
}

TEST(DemoSourceTest, LoopAfterOptionLoopsEarlyAtAnyFrameRate) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer,
                                   {.fps = 100, .loop_after_access_units = 7});
  ASSERT_TRUE(source.ok()) << source.status();
  (*source)->Start();
  RunFor(*ring, 3 * core::kNsPerSec, [&] { return observer.access_units >= 16; });
  (*source)->Stop();
  const std::vector<ReceivedAu> units = Split(observer.packets);
  ASSERT_GE(units.size(), 16u);
  ExpectContinuousLoop(units, 7, 900, Clip().units);
  EXPECT_TRUE(units[14].keyframe);
  EXPECT_GE((*source)->loops(), 2u);
}

TEST(DemoSourceTest, AfterAStallSendsAFewFramesAtOnceThenResumesPacing) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer);
  ASSERT_TRUE(source.ok()) << source.status();
  (*source)->Start();
  RunFor(*ring, 2 * core::kNsPerSec, [&] { return observer.access_units >= 1; });
  ASSERT_GE(observer.access_units, 1u);
  const uint64_t resets_before = (*source)->late_resets();

  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // 15 frames' worth of stall
  const size_t before = observer.access_units;
  ring->RunOnce(0);
  EXPECT_EQ(observer.access_units - before, size_t{DemoSource::kMaxCatchUpFrames});
  EXPECT_EQ((*source)->late_resets(), resets_before + 1);

  // Back to one frame per 40 ms: no burst of the 12 frames still owed.
  const int64_t start = core::NowNs();
  const size_t after_burst = observer.access_units;
  RunFor(*ring, 400 * core::kNsPerMs);
  const double elapsed_frames = static_cast<double>(core::NowNs() - start) / (40 * core::kNsPerMs);
  EXPECT_LE(static_cast<double>(observer.access_units - after_burst), elapsed_frames + 3);
  EXPECT_EQ((*source)->late_resets(), resets_before + 1);
  Split(observer.packets);  // numbering stayed contiguous through it all
}

TEST(DemoSourceTest, StopDisarmsAndStartResumesOnAKeyframe) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer);
  ASSERT_TRUE(source.ok()) << source.status();
  (*source)->Start();
  (*source)->Start();  // no-op while running
  EXPECT_EQ(observer.ready_calls, 1);
  RunFor(*ring, 2 * core::kNsPerSec, [&] { return observer.access_units >= 3; });
  (*source)->Stop();
  EXPECT_FALSE((*source)->running());
  const size_t packets = observer.packets.size();
  RunFor(*ring, 200 * core::kNsPerMs);
  EXPECT_EQ(observer.packets.size(), packets) << "packets after Stop()";

  (*source)->Start();
  EXPECT_EQ(observer.ready_calls, 2);
  RunFor(*ring, 2 * core::kNsPerSec, [&] { return observer.access_units >= 5; });
  (*source)->Stop();
  const std::vector<ReceivedAu> units = Split(observer.packets);  // contiguous seq throughout
  ASSERT_GE(units.size(), 5u);
  EXPECT_TRUE(units[3].keyframe) << "restart begins at the clip's first (IDR) access unit";
  EXPECT_EQ(units[3].payloads, ExpectedPayloads(Clip().units[0]));
  EXPECT_EQ(units[3].ts, units[2].ts + 3600);
}

TEST(DemoSourceTest, ObserverMayStopTheSourceFromACallback) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer);
  ASSERT_TRUE(source.ok()) << source.status();
  observer.on_packet = [&] {
    if (observer.packets.size() == 2) (*source)->Stop();
  };
  (*source)->Start();
  RunFor(*ring, 300 * core::kNsPerMs);
  EXPECT_EQ(observer.packets.size(), 2u);
}

TEST(DemoSourceTest, DestroyingARunningSourceDisarmsIt) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer);
  ASSERT_TRUE(source.ok()) << source.status();
  (*source)->Start();
  RunFor(*ring, 2 * core::kNsPerSec, [&] { return observer.access_units >= 2; });
  source->reset();
  const size_t packets = observer.packets.size();
  RunFor(*ring, 200 * core::kNsPerMs);
  EXPECT_EQ(observer.packets.size(), packets);
}

// Counts packets only, so that the observer itself allocates nothing.
class CountingObserver final : public SourceObserver {
 public:
  void OnSourceReady(std::vector<TrackInfo> tracks) override {}
  void OnSourcePacket(size_t track, const RtpView& packet) override {
    ++packets;
    if (packet.marker()) ++access_units;
  }
  void OnSourceLost(std::string_view reason) override {}
  size_t packets = 0;
  size_t access_units = 0;
};

TEST(DemoSourceTest, NoHeapAllocationPerPacket) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  CountingObserver observer;
  // fps 200 and a short loop: many packets, keyframes and loops within the measured window.
  auto source = DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer,
                                   {.fps = 200, .loop_after_access_units = 30});
  ASSERT_TRUE(source.ok()) << source.status();
  (*source)->Start();
  RunFor(*ring, 2 * core::kNsPerSec, [&] { return observer.access_units >= 2; });
  const size_t packets_before = observer.packets;
  g_allocations = 0;
  g_count_allocations = true;
  RunFor(*ring, 3 * core::kNsPerSec, [&] { return observer.access_units >= 70; });
  g_count_allocations = false;
  EXPECT_GE(observer.access_units, 70u);
  EXPECT_GT(observer.packets, packets_before + 100);
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_GE((*source)->loops(), 2u);
}

TEST(DemoSourceTest, DefaultClipPathsAndFinding) {
  EXPECT_EQ(DefaultDemoClipPaths("/opt/build/core"),
            (std::vector<std::string>{"/opt/build/core/../demo/demo.h264",
                                      "/usr/share/ringcast/demo.h264",
                                      "/usr/local/share/ringcast/demo.h264"}));
  EXPECT_EQ(DefaultDemoClipPaths("").size(), 2u);

  // The build tree's clip is found from the directory ringcastd is built in.
  const std::string clip = RINGCAST_DEMO_CLIP;
  const std::string build_dir = clip.substr(0, clip.rfind("/demo/"));
  absl::StatusOr<std::string> found = FindDemoClip(DefaultDemoClipPaths(build_dir + "/core"));
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, build_dir + "/core/../demo/demo.h264");

  absl::StatusOr<std::string> missing = FindDemoClip({"/nonexistent/a.h264", "/nonexistent/b"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(core::ToStd(missing.status().message()).find("/nonexistent/b"), std::string::npos);
}

// Create's error for `path`: must not be OK and must name the file and say `why`.
void ExpectRefused(const std::string& path, const std::string& why,
                   const DemoOptions& options = {}) {
  SCOPED_TRACE(path);
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, path, observer, options);
  ASSERT_FALSE(source.ok());
  const std::string message(core::ToStd(source.status().message()));
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find(why), std::string::npos) << message;
}

Bytes AnnexB(const std::vector<std::span<const uint8_t>>& nals) {
  Bytes out;
  for (std::span<const uint8_t> nal : nals) {
    out.insert(out.end(), {0x00, 0x00, 0x00, 0x01});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

TEST(DemoSourceTest, RefusesBadClipsNamingTheFile) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  ExpectRefused(dir.path() + "/missing.h264", "No such file");
  ExpectRefused(dir.path(), "not a regular file");

  const std::string text = dir.path() + "/text.h264";
  const std::string hello = "hello, this is not video\n";
  WriteFile(text, std::span(reinterpret_cast<const uint8_t*>(hello.data()), hello.size()));
  ExpectRefused(text, "no H.264 NAL units");

  const std::string huge = dir.path() + "/huge.h264";
  const int fd = ::open(huge.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(DemoSource::kMaxClipBytes + 1)), 0);  // sparse
  ::close(fd);
  ExpectRefused(huge, "64 MiB");

  const std::vector<h264::AccessUnit>& units = Clip().units;
  std::vector<std::span<const uint8_t>> p_slices;
  for (size_t i = 1; i < 25; ++i) p_slices.push_back(units[i].nals[0]);
  const std::string no_sps = dir.path() + "/no_sps.h264";
  WriteFile(no_sps, AnnexB(p_slices));
  ExpectRefused(no_sps, "no SPS");

  std::vector<std::span<const uint8_t>> no_idr_nals = {units[0].nals[0], units[0].nals[1]};
  no_idr_nals.insert(no_idr_nals.end(), p_slices.begin(), p_slices.end());
  const std::string no_idr = dir.path() + "/no_idr.h264";
  WriteFile(no_idr, AnnexB(no_idr_nals));
  ExpectRefused(no_idr, "no IDR");

  Bytes bad_sps_bytes = {0x67, 0x42};  // cut short
  std::vector<std::span<const uint8_t>> bad_sps_nals = {bad_sps_bytes, units[0].nals[1],
                                                        units[0].nals[3]};
  const std::string bad_sps = dir.path() + "/bad_sps.h264";
  WriteFile(bad_sps, AnnexB(bad_sps_nals));
  ExpectRefused(bad_sps, "SPS does not parse");

  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  EXPECT_FALSE(DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer, {.fps = 0}).ok());
  EXPECT_FALSE(DemoSource::Create(*ring, RINGCAST_DEMO_CLIP, observer, {.max_payload = 10}).ok());
}

TEST(DemoSourceTest, LeadingPicturesBeforeTheFirstIdrAreDropped) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::vector<h264::AccessUnit>& units = Clip().units;
  // SPS, PPS, then P pictures 20..24 with no IDR before them, then a whole GOP.
  std::vector<std::span<const uint8_t>> nals = {units[0].nals[0], units[0].nals[1]};
  for (size_t i = 20; i < 25; ++i) nals.push_back(units[i].nals[0]);
  for (size_t i = 25; i < 50; ++i)
    nals.insert(nals.end(), units[i].nals.begin(), units[i].nals.end());
  const std::string clip = dir.path() + "/late_idr.h264";
  WriteFile(clip, AnnexB(nals));

  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingObserver observer;
  auto source = DemoSource::Create(*ring, clip, observer);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->access_unit_count(), 25u);
  (*source)->Start();
  RunFor(*ring, 2 * core::kNsPerSec, [&] { return observer.access_units >= 1; });
  (*source)->Stop();
  const std::vector<ReceivedAu> received = Split(observer.packets);
  ASSERT_FALSE(received.empty());
  EXPECT_TRUE(received[0].keyframe);
  EXPECT_EQ(received[0].payloads, ExpectedPayloads(units[25]));
}

}  // namespace
}  // namespace ringcast::rtp
