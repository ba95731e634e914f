#include "net/rtsp/interleaved.h"

#include <atomic>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/allocation_counter.h"
#include "tests/unit/net/rtsp/capture_util.h"
#include "tests/unit/net/rtsp/demux_loop.h"

namespace ringcast::net::rtsp {
namespace {

using testing::Demux;
using testing::FeedChunk;
using testing::ReadCapture;
using testing::RecordingSink;
using testing::StreamEvent;
using Kind = http::Parser::Kind;
using namespace std::string_literals;

std::string Frame(uint8_t channel, size_t length, uint8_t fill) {
  std::string out = {'$', static_cast<char>(channel), static_cast<char>(length >> 8),
                     static_cast<char>(length & 0xff)};
  for (size_t i = 0; i < length; ++i) out.push_back(static_cast<char>(fill + i));
  return out;
}

// A keep-alive whose body starts with '$' and holds more: text, not frames.
const std::string kGetParameter =
    "GET_PARAMETER rtsp://127.0.0.1:8554/cam1 RTSP/1.0\r\nCSeq: 7\r\nSession: 1\r\n"
    "Content-Length: 10\r\n\r\n$\x01\x00\x02$$ab\r\n"s;
const std::string kOptions = "OPTIONS * RTSP/1.0\r\nCSeq: 8\r\n\r\n";

// Text, frames on channels 0 and 1, text, a large frame, a frame on channel 7, a 1-byte frame.
std::string MixedStream() {
  return kGetParameter + Frame(0, 40, 0x80) + Frame(1, 5, 0x10) + kOptions + Frame(0, 300, 0x20) +
         Frame(7, 20, 0x30) + Frame(0, 1, 0x40);
}

struct Expected {
  bool is_frame;
  uint8_t channel;
  size_t length;
  uint8_t fill;
  std::string method;
};

void ExpectMixedEvents(const std::vector<StreamEvent>& events, bool channel7_allowed,
                       const std::string& where) {
  std::vector<Expected> want = {{false, 0, 0, 0, "GET_PARAMETER"},
                                {true, 0, 40, 0x80, ""},
                                {true, 1, 5, 0x10, ""},
                                {false, 0, 0, 0, "OPTIONS"},
                                {true, 0, 300, 0x20, ""}};
  if (channel7_allowed) want.push_back({true, 7, 20, 0x30, ""});
  want.push_back({true, 0, 1, 0x40, ""});
  ASSERT_EQ(events.size(), want.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(events[i].is_frame, want[i].is_frame) << where << " event " << i;
    if (!want[i].is_frame) {
      EXPECT_EQ(events[i].message.method, want[i].method) << where;
      if (want[i].method == "GET_PARAMETER") {
        EXPECT_EQ(events[i].message.body, std::string("$\x01\x00\x02$$ab\r\n", 10)) << where;
      }
      continue;
    }
    EXPECT_EQ(events[i].channel, want[i].channel) << where << " event " << i;
    ASSERT_EQ(events[i].payload.size(), want[i].length) << where << " event " << i;
    for (size_t b = 0; b < want[i].length; ++b) {
      ASSERT_EQ(events[i].payload[b], static_cast<uint8_t>(want[i].fill + b)) << where;
    }
  }
}

// Feeds `stream` cut at `cuts`, each piece copied into a buffer that is scribbled over after
// Feed() returns (a recycled ring buffer).
std::vector<StreamEvent> FeedPieces(Demuxer& demuxer, std::string_view stream,
                                    const std::vector<size_t>& cuts) {
  RecordingSink sink(Kind::kRequest);
  std::vector<uint8_t> buffer;
  size_t start = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(stream.size());
  for (size_t end : ends) {
    buffer.assign(stream.begin() + start, stream.begin() + end);
    EXPECT_TRUE(FeedChunk(demuxer, buffer, sink)) << sink.parse_error;
    std::fill(buffer.begin(), buffer.end(), 0xEE);
    start = end;
  }
  return std::move(sink.events);
}

TEST(RtspInterleavedTest, WholeFramesAreHandedOverInPlace) {
  const std::string stream = MixedStream();
  std::vector<uint8_t> chunk(stream.begin(), stream.end());
  Demuxer demuxer;
  RecordingSink sink(Kind::kRequest);
  ASSERT_TRUE(FeedChunk(demuxer, chunk, sink));
  ExpectMixedEvents(sink.events, true, "one chunk");
  ASSERT_EQ(sink.frame_data.size(), 5u);
  for (const uint8_t* p : sink.frame_data) {
    EXPECT_GE(p, chunk.data());  // zero copy: every payload points into the chunk
    EXPECT_LT(p, chunk.data() + chunk.size());
  }
  // The first frame's payload starts right after its 4-byte header.
  EXPECT_EQ(sink.frame_data[0], chunk.data() + kGetParameter.size() + 4);
  const DemuxerStats& s = demuxer.stats();
  EXPECT_EQ(s.frames, 5u);
  EXPECT_EQ(s.frame_bytes, 40u + 5 + 300 + 20 + 1);
  EXPECT_EQ(s.stitched_frames, 0u);
  EXPECT_EQ(s.bad_channel_frames, 0u);
  EXPECT_EQ(s.text_bytes, kGetParameter.size() + kOptions.size());
  EXPECT_TRUE(demuxer.AtFrameBoundary());
}

TEST(RtspInterleavedTest, EverySplitIntoTwoChunks) {
  const std::string stream = MixedStream();
  Demuxer demuxer;
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    demuxer.Reset();
    const DemuxerStats before = demuxer.stats();
    std::vector<StreamEvent> events = FeedPieces(demuxer, stream, {cut});
    ExpectMixedEvents(events, true, "cut at " + std::to_string(cut));
    EXPECT_EQ(demuxer.stats().frames - before.frames, 5u);
    EXPECT_TRUE(demuxer.AtFrameBoundary());
  }
}

TEST(RtspInterleavedTest, EverySplitIntoThreeChunks) {
  const std::string stream = MixedStream();
  Demuxer demuxer;
  std::bitset<256> allowed;
  allowed.set(0);
  allowed.set(1);
  demuxer.AllowOnlyChannels(allowed);
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); ++b) {
      demuxer.Reset();
      std::vector<StreamEvent> events = FeedPieces(demuxer, stream, {a, b});
      ExpectMixedEvents(events, false, "cuts at " + std::to_string(a) + "," + std::to_string(b));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(RtspInterleavedTest, OnlyAFrameWhosePayloadStraddlesIsStitched) {
  const std::string stream = MixedStream();
  const size_t big_header = kGetParameter.size() + 4 + 40 + 4 + 5 + kOptions.size();
  struct Case {
    size_t cut;
    uint64_t stitched;
  };
  const Case cases[] = {
      {big_header, 0},            // before the '$': nothing straddles
      {big_header + 1, 0},        // inside the header: 4 header bytes kept, payload in place
      {big_header + 3, 0},        //
      {big_header + 4, 0},        // between header and payload
      {big_header + 5, 1},        // inside the payload: copied once
      {big_header + 4 + 299, 1},  // one byte before the end
      {big_header + 4 + 300, 0},  // right after it
  };
  for (const Case& c : cases) {
    Demuxer demuxer;
    ExpectMixedEvents(FeedPieces(demuxer, stream, {c.cut}), true, std::to_string(c.cut));
    EXPECT_EQ(demuxer.stats().stitched_frames, c.stitched) << c.cut;
    EXPECT_EQ(demuxer.stats().frames, 5u);
  }
}

TEST(RtspInterleavedTest, DollarInsideABodyAtAChunkStartIsText) {
  // Cut right where the GET_PARAMETER body (which starts with '$') begins, and inside it.
  const std::string stream = MixedStream();
  const size_t body = kGetParameter.find("\r\n\r\n") + 4;
  for (size_t cut : {body, body + 4, body + 5}) {
    Demuxer demuxer;
    std::vector<StreamEvent> events = FeedPieces(demuxer, stream, {cut});
    ExpectMixedEvents(events, true, "cut " + std::to_string(cut));
    EXPECT_EQ(demuxer.stats().frames, 5u);
  }
}

TEST(RtspInterleavedTest, BadChannelsAreSkippedAndCounted) {
  const std::string stream = Frame(0, 10, 1) + Frame(9, 2000, 2) + Frame(1, 10, 3) +
                             Frame(200, 3, 4) + Frame(0, 0, 0) + Frame(0, 10, 5);
  for (size_t chunk : {stream.size(), size_t{1}, size_t{3}, size_t{700}}) {
    Demuxer demuxer;
    demuxer.AllowOnlyChannels({});
    demuxer.AllowChannel(0);
    demuxer.AllowChannel(1);
    EXPECT_TRUE(demuxer.ChannelAllowed(1));
    EXPECT_FALSE(demuxer.ChannelAllowed(9));
    RecordingSink sink(Kind::kRequest);
    std::vector<uint8_t> buffer;
    for (size_t off = 0; off < stream.size(); off += chunk) {
      std::string_view piece = std::string_view(stream).substr(off, chunk);
      buffer.assign(piece.begin(), piece.end());
      ASSERT_TRUE(FeedChunk(demuxer, buffer, sink));
    }
    ASSERT_EQ(sink.events.size(), 3u) << chunk;
    EXPECT_EQ(sink.events[0].channel, 0);
    EXPECT_EQ(sink.events[1].channel, 1);
    EXPECT_EQ(sink.events[2].payload[0], 5);
    const DemuxerStats& s = demuxer.stats();
    EXPECT_EQ(s.frames, 3u);
    EXPECT_EQ(s.bad_channel_frames, 2u);
    EXPECT_EQ(s.empty_frames, 1u);
    EXPECT_EQ(s.stitched_frames, 0u + (chunk < 10 ? 3 : 0)) << chunk;
    EXPECT_EQ(s.text_bytes, 0u);
  }
}

class StoppingSink {
 public:
  explicit StoppingSink(size_t answer) : answer_(answer) {}
  void OnInterleavedFrame(uint8_t, std::span<const uint8_t>) { ++frames; }
  size_t OnInterleavedText(std::string_view) {
    ++texts;
    return answer_;
  }
  int frames = 0;
  int texts = 0;

 private:
  size_t answer_;
};

TEST(RtspInterleavedTest, SinkCanStopAndContractViolationsStop) {
  const std::string stream = Frame(0, 4, 1) + "JUNK" + Frame(0, 4, 1);
  std::vector<uint8_t> bytes(stream.begin(), stream.end());
  for (size_t answer : {Demuxer::kStopFeeding, size_t{0}, size_t{2}, size_t{999}}) {
    Demuxer demuxer;
    StoppingSink sink(answer);
    EXPECT_FALSE(FeedChunk(demuxer, bytes, sink)) << answer;
    EXPECT_EQ(sink.frames, 1) << answer;  // the frame after the text is never reached
    EXPECT_FALSE(FeedChunk(demuxer, bytes, sink)) << "sticky";
    EXPECT_EQ(sink.frames, 1);
    demuxer.Reset();
    StoppingSink all(Demuxer::kStopFeeding);
    EXPECT_TRUE(FeedChunk(demuxer, std::span<const uint8_t>(bytes).first(8), all));
    EXPECT_EQ(all.frames, 1);
  }
  // A parse error in the text: the recording sink stops the feed.
  Demuxer demuxer;
  RecordingSink sink(Kind::kRequest);
  const std::string garbage = "NOT A REQUEST\r\n\r\n";
  std::vector<uint8_t> g(garbage.begin(), garbage.end());
  EXPECT_FALSE(FeedChunk(demuxer, g, sink));
  EXPECT_FALSE(sink.parse_error.empty());
}

TEST(RtspInterleavedTest, TextModeIsKeptAcrossChunks) {
  Demuxer demuxer;
  RecordingSink sink(Kind::kRequest);
  const std::string head = "OPTIONS * RTSP/1.0\r\nCSe";
  std::vector<uint8_t> a(head.begin(), head.end());
  ASSERT_TRUE(FeedChunk(demuxer, a, sink));
  EXPECT_TRUE(demuxer.InText());
  const std::string tail = "q: 1\r\n\r\n" + Frame(3, 2, 9);
  std::vector<uint8_t> b(tail.begin(), tail.end());
  ASSERT_TRUE(FeedChunk(demuxer, b, sink));
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[0].message.method, "OPTIONS");
  EXPECT_EQ(sink.events[1].channel, 3);
  EXPECT_FALSE(demuxer.InText());
  // An empty chunk changes nothing.
  ASSERT_TRUE(FeedChunk(demuxer, {}, sink));
  EXPECT_EQ(sink.events.size(), 2u);
}

TEST(RtspInterleavedTest, LargestFrame) {
  const std::string stream = Frame(2, 65535, 0) + Frame(2, 1, 7);
  for (size_t chunk : {stream.size(), size_t{4096}, size_t{65536}, size_t{1}}) {
    DemuxerStats stats;
    std::vector<StreamEvent> events = Demux(stream, Kind::kRequest, chunk, &stats);
    ASSERT_EQ(events.size(), 2u) << chunk;
    EXPECT_EQ(events[0].payload.size(), 65535u);
    EXPECT_EQ(events[0].payload[65534], static_cast<uint8_t>(65534));
    EXPECT_EQ(events[1].payload[0], 7);
  }
}

// A publisher's real session: ffmpeg -rtsp_transport tcp -f rtsp (OPTIONS, ANNOUNCE with SDP,
// SETUP, RECORD, RTP/RTCP frames, TEARDOWN), in chunks of every size from 1 to 97.
TEST(RtspInterleavedTest, FfmpegPublishCaptureInAnyChunking) {
  const std::string capture = ReadCapture("ffmpeg_publish_tcp.c2s");
  DemuxerStats whole_stats;
  const std::vector<StreamEvent> whole =
      Demux(capture, Kind::kRequest, capture.size(), &whole_stats);
  std::vector<std::string> methods;
  size_t frames = 0;
  for (const StreamEvent& e : whole) {
    if (!e.is_frame) {
      methods.push_back(e.message.method);
      continue;
    }
    ++frames;
    EXPECT_LE(e.channel, 1);
    ASSERT_GE(e.payload.size(), 8u);
    EXPECT_EQ(e.payload[0] & 0xC0, 0x80);  // RTP/RTCP version 2
  }
  EXPECT_THAT(methods,
              ::testing::ElementsAre("OPTIONS", "ANNOUNCE", "SETUP", "RECORD", "TEARDOWN"));
  EXPECT_GT(frames, 10u);
  EXPECT_EQ(whole_stats.frames, frames);
  EXPECT_EQ(whole_stats.stitched_frames, 0u);
  for (size_t chunk = 1; chunk <= 97; ++chunk) {
    DemuxerStats stats;
    std::vector<StreamEvent> events = Demux(capture, Kind::kRequest, chunk, &stats);
    ASSERT_EQ(events.size(), whole.size()) << chunk;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].is_frame, whole[i].is_frame) << chunk;
      ASSERT_EQ(events[i].payload, whole[i].payload) << chunk << " event " << i;
      ASSERT_EQ(events[i].message.method, whole[i].message.method);
    }
    EXPECT_EQ(stats.text_bytes, whole_stats.text_bytes);
  }
}

// A server's real answer stream: GStreamer's RTSP server playing to ffprobe over TCP: four
// responses, 126 RTP frames on channel 0, one RTCP sender report on channel 1, the TEARDOWN
// response.
TEST(RtspInterleavedTest, GstreamerServerCapture) {
  const std::string capture = ReadCapture("gst_server_play_tcp.s2c");
  for (size_t chunk : {capture.size(), size_t{1}, size_t{1400}, size_t{4096}, size_t{16384}}) {
    DemuxerStats stats;
    std::vector<StreamEvent> events = Demux(capture, Kind::kResponse, chunk, &stats);
    std::map<int, int> per_channel;
    int responses = 0;
    for (const StreamEvent& e : events) {
      if (e.is_frame) {
        ++per_channel[e.channel];
      } else {
        ++responses;
        EXPECT_EQ(e.message.status, 200);
      }
    }
    EXPECT_EQ(responses, 5) << chunk;
    EXPECT_EQ(per_channel[0], 126) << chunk;
    EXPECT_EQ(per_channel[1], 1) << chunk;
    EXPECT_EQ(stats.frames, 127u);
  }
}

class CountingSink {
 public:
  void OnInterleavedFrame(uint8_t channel, std::span<const uint8_t> payload) {
    ++frames;
    bytes += payload.size();
  }
  size_t OnInterleavedText(std::string_view) { return Demuxer::kStopFeeding; }
  size_t frames = 0;
  size_t bytes = 0;
};

TEST(RtspInterleavedTest, NoHeapAllocationPerPacket) {
  std::string stream;
  for (int i = 0; i < 200; ++i) stream += Frame(i % 2, 100 + i * 7, static_cast<uint8_t>(i));
  std::vector<uint8_t> bytes(stream.begin(), stream.end());
  Demuxer demuxer;
  CountingSink sink;
  auto feed = [&](size_t chunk) {
    for (size_t off = 0; off < bytes.size(); off += chunk) {
      const size_t n = std::min(chunk, bytes.size() - off);
      if (!FeedChunk(demuxer, std::span<const uint8_t>(bytes).subspan(off, n), sink)) break;
    }
  };
  // The first frame that straddles two chunks allocates the stitch buffer, once: 2 KiB holds
  // every frame of this stream (the largest is 1,497 bytes), so it never grows again.
  g_allocations = 0;
  g_count_allocations = true;
  feed(1);
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 1u);
  g_allocations = 0;
  g_count_allocations = true;
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{1000}, size_t{1500}, bytes.size()}) feed(chunk);
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_EQ(sink.frames, 6u * 200);
}

// A frame larger than any before it grows the stitch buffer and still arrives whole, with the
// bytes stitched so far kept.
TEST(RtspInterleavedTest, StitchBufferGrowsForALargerFrame) {
  std::string stream = Frame(0, 1000, 1) + Frame(0, 60000, 2) + Frame(1, 65535, 3);
  std::vector<uint8_t> bytes(stream.begin(), stream.end());
  Demuxer demuxer;
  std::vector<size_t> sizes;
  for (size_t off = 0; off < bytes.size(); off += 700) {
    demuxer.Feed(
        std::span<const uint8_t>(bytes).subspan(off, std::min<size_t>(700, bytes.size() - off)));
    while (std::optional<Demuxer::Item> item = demuxer.Next()) {
      ASSERT_EQ(item->kind, Demuxer::Item::kFrame);
      const uint8_t fill = static_cast<uint8_t>(sizes.size() + 1);
      for (size_t i = 0; i < item->payload.size(); ++i) {
        ASSERT_EQ(item->payload[i], static_cast<uint8_t>(fill + i));
      }
      sizes.push_back(item->payload.size());
    }
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{1000, 60000, 65535}));
}

}  // namespace
}  // namespace ringcast::net::rtsp
