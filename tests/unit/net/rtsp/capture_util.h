// Test helpers: read a capture from tests/data/rtsp (see the README there) and split it into
// RTSP messages and interleaved frames with the real Demuxer and http::Parser, the way a
// connection does.
#ifndef RINGCAST_TESTS_UNIT_NET_RTSP_CAPTURE_UTIL_H_
#define RINGCAST_TESTS_UNIT_NET_RTSP_CAPTURE_UTIL_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "net/http/message.h"
#include "net/http/parser.h"
#include "net/rtsp/interleaved.h"
#include "tests/unit/net/rtsp/demux_loop.h"

namespace ringcast::net::rtsp::testing {

inline std::string ReadCapture(const std::string& name) {
  const std::string path = (std::filesystem::path(RINGCAST_RTSP_TEST_DATA) / name).string();
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// One event of a demuxed stream: a frame (channel, payload) or a whole RTSP message.
struct StreamEvent {
  bool is_frame = false;
  uint8_t channel = 0;
  std::vector<uint8_t> payload;
  http::Message message;
};

// A sink that feeds text to an http::Parser in RTSP mode (the contract documented
// in net/rtsp/interleaved.h) and records every event, copying payloads.
class RecordingSink {
 public:
  explicit RecordingSink(http::Parser::Kind kind) : parser_(http::Protocol::kRtsp, kind) {}

  void OnInterleavedFrame(uint8_t channel, std::span<const uint8_t> payload) {
    StreamEvent e;
    e.is_frame = true;
    e.channel = channel;
    e.payload.assign(payload.begin(), payload.end());
    events.push_back(std::move(e));
    frame_data.push_back(payload.data());
  }

  size_t OnInterleavedText(std::string_view text) {
    size_t used_total = 0;
    while (used_total < text.size()) {
      size_t used = 0;
      const http::Parser::State state = parser_.Feed(text.substr(used_total), used);
      used_total += used;
      if (state == http::Parser::State::kComplete) {
        StreamEvent e;
        e.message = parser_.Take();
        events.push_back(std::move(e));
        continue;
      }
      if (state == http::Parser::State::kError) {
        parse_error = std::string(parser_.error_reason());
        return Demuxer::kStopFeeding;
      }
      return used_total;  // kNeedMore: all used, or stopped at a '$' frame
    }
    return used_total;
  }

  std::vector<StreamEvent> events;
  std::vector<const uint8_t*> frame_data;  // where each payload was (valid only in the call)
  std::string parse_error;

 private:
  http::Parser parser_;
};

// Demuxes `bytes` fed in chunks of `chunk` bytes (each chunk copied into a scratch buffer that is
// scribbled over after the call, like a recycled receive buffer).
inline std::vector<StreamEvent> Demux(std::string_view bytes, http::Parser::Kind kind,
                                      size_t chunk = std::string_view::npos,
                                      DemuxerStats* stats = nullptr) {
  Demuxer demuxer;
  RecordingSink sink(kind);
  std::vector<uint8_t> buffer;
  for (size_t off = 0; off < bytes.size(); off += chunk) {
    std::string_view piece = bytes.substr(off, chunk);
    buffer.assign(piece.begin(), piece.end());
    EXPECT_TRUE(FeedChunk(demuxer, buffer, sink)) << sink.parse_error;
    std::fill(buffer.begin(), buffer.end(), 0xA5);
    if (chunk == std::string_view::npos) break;
  }
  if (stats) *stats = demuxer.stats();
  return std::move(sink.events);
}

// Every message of a capture (frames dropped).
inline std::vector<http::Message> Messages(std::string_view bytes, http::Parser::Kind kind) {
  std::vector<http::Message> out;
  for (StreamEvent& e : Demux(bytes, kind)) {
    if (!e.is_frame) out.push_back(std::move(e.message));
  }
  return out;
}

}  // namespace ringcast::net::rtsp::testing

#endif  // RINGCAST_TESTS_UNIT_NET_RTSP_CAPTURE_UTIL_H_
