// Fuzz target for net/rtsp/interleaved: an RTSP/TCP byte stream ('$' frames mixed with RTSP
// text) fed to the Demuxer in random chunks must give exactly the frames and messages that a
// straightforward parse of the whole input gives.
//
// The input is the stream itself (seeds in corpus/rtsp_interleaved are real TCP captures, see
// tests/data/rtsp/README.md). Its last byte seeds the chunk sizes (1 to 67, or all at once) and
// picks the channel filter (all channels, or only 0 and 1). Each input runs twice: as requests
// (a server's view) and as responses (a client's view). Every chunk is copied into a buffer that
// is overwritten after Feed() returns, as a recycled receive buffer would be, so a frame that
// kept pointing into an old chunk shows up as a payload mismatch.
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/http/message.h"
#include "net/http/parser.h"
#include "net/rtsp/interleaved.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/unit/net/rtsp/demux_loop.h"

namespace {

using ringcast::net::http::Message;
using ringcast::net::http::Parser;
using ringcast::net::http::Protocol;
using ringcast::net::rtsp::Demuxer;
using ringcast::net::rtsp::DemuxerStats;
using ringcast::net::rtsp::testing::FeedChunk;

struct Event {
  bool is_frame = false;
  uint8_t channel = 0;
  std::string bytes;  // payload, or method/target/status/body of a message
  bool operator==(const Event&) const = default;
};

std::string Summary(const Message& m) {
  std::string out = m.method + ' ' + m.target + ' ' + std::to_string(m.status) + '\n';
  for (const auto& h : m.headers) out += h.name + ':' + h.value + '\n';
  return out + m.body;
}

// Feeds RTSP text to an http::Parser, as the contract in interleaved.h describes.
class TextParser {
 public:
  explicit TextParser(Parser::Kind kind) : parser_(Protocol::kRtsp, kind) {}

  // Returns bytes that are text, or Demuxer::kStopFeeding on a parse error.
  size_t Feed(std::string_view text, std::vector<Event>& events) {
    size_t total = 0;
    while (total < text.size()) {
      size_t used = 0;
      const Parser::State state = parser_.Feed(text.substr(total), used);
      FUZZ_CHECK(used <= text.size() - total);
      total += used;
      if (state == Parser::State::kComplete) {
        events.push_back({false, 0, Summary(parser_.Take())});
      } else if (state == Parser::State::kError) {
        return Demuxer::kStopFeeding;
      } else {
        if (parser_.at_interleaved_frame()) FUZZ_CHECK(text[total] == '$');
        return total;
      }
    }
    return total;
  }

 private:
  Parser parser_;
};

class Sink {
 public:
  explicit Sink(Parser::Kind kind) : text_(kind) {}
  void OnInterleavedFrame(uint8_t channel, std::span<const uint8_t> payload) {
    FUZZ_CHECK(!payload.empty());
    events.push_back({true, channel,
                      std::string(reinterpret_cast<const char*>(payload.data()), payload.size())});
  }
  size_t OnInterleavedText(std::string_view text) {
    FUZZ_CHECK(!text.empty());
    const size_t n = text_.Feed(text, events);
    if (n != Demuxer::kStopFeeding) text_bytes += n;
    return n;
  }
  std::vector<Event> events;
  uint64_t text_bytes = 0;

 private:
  TextParser text_;
};

// The reference: the whole input at once, frames cut by a plain loop.
struct Reference {
  std::vector<Event> events;
  bool stopped = false;
  uint64_t text_bytes = 0;
  uint64_t bad_channel = 0;
  uint64_t empty = 0;
};

Reference ParseWhole(std::string_view data, Parser::Kind kind, const std::bitset<256>& allowed) {
  Reference ref;
  TextParser text(kind);
  size_t pos = 0;
  while (pos < data.size()) {
    if (data[pos] == '$') {
      if (data.size() - pos < 4) break;
      const auto channel = static_cast<uint8_t>(data[pos + 1]);
      const size_t length =
          static_cast<uint8_t>(data[pos + 2]) << 8 | static_cast<uint8_t>(data[pos + 3]);
      if (data.size() - pos - 4 < length) {
        if (length > 0 && !allowed.test(channel)) ++ref.bad_channel;  // counted at its header
        break;
      }
      if (length == 0) {
        ++ref.empty;
      } else if (!allowed.test(channel)) {
        ++ref.bad_channel;
      } else {
        ref.events.push_back({true, channel, std::string(data.substr(pos + 4, length))});
      }
      pos += 4 + length;
      continue;
    }
    const size_t n = text.Feed(data.substr(pos), ref.events);
    if (n == Demuxer::kStopFeeding) {
      ref.stopped = true;
      break;
    }
    FUZZ_CHECK(n > 0);  // a text run that does not start with '$' always takes a byte
    ref.text_bytes += n;
    pos += n;
  }
  return ref;
}

// Chunk sizes from 1 to `max`, from a xorshift generator; max 0 means "all at once".
class Splitter {
 public:
  explicit Splitter(uint8_t seed) : state_(0x9e3779b9u ^ (seed * 0x01000193u)), max_(seed % 68) {}
  size_t Next(size_t left) {
    if (max_ == 0) return left;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    const size_t n = 1 + state_ % max_;
    return n < left ? n : left;
  }

 private:
  uint32_t state_;
  uint32_t max_;
};

void RunOne(std::string_view data, Parser::Kind kind, uint8_t seed) {
  std::bitset<256> allowed;
  if (seed & 0x80) {
    allowed.set(0);
    allowed.set(1);
  } else {
    allowed.set();
  }
  const Reference ref = ParseWhole(data, kind, allowed);

  Demuxer demuxer;
  demuxer.AllowOnlyChannels(allowed);
  Sink sink(kind);
  Splitter splitter(seed);
  std::vector<uint8_t> chunk;
  chunk.reserve(data.size());
  bool ok = true;
  for (size_t pos = 0; pos < data.size() && ok;) {
    const size_t n = splitter.Next(data.size() - pos);
    chunk.assign(data.begin() + pos, data.begin() + pos + n);
    ok = FeedChunk(demuxer, chunk, sink);
    std::fill(chunk.begin(), chunk.end(), 0xEE);  // the ring buffer is recycled
    pos += n;
  }
  FUZZ_CHECK(ok == !ref.stopped);
  FUZZ_CHECK(sink.events == ref.events);
  const DemuxerStats& stats = demuxer.stats();
  size_t frames = 0, bytes = 0;
  for (const Event& e : ref.events) {
    if (e.is_frame) {
      ++frames;
      bytes += e.bytes.size();
    }
  }
  FUZZ_CHECK(stats.frames == frames);
  FUZZ_CHECK(stats.frame_bytes == bytes);
  FUZZ_CHECK(stats.stitched_frames <= stats.frames);
  if (!ref.stopped) {
    FUZZ_CHECK(stats.text_bytes == ref.text_bytes);
    FUZZ_CHECK(stats.bad_channel_frames == ref.bad_channel);
    FUZZ_CHECK(stats.empty_frames == ref.empty);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const uint8_t seed = data[size - 1];
  RunOne(input, Parser::Kind::kRequest, seed);
  RunOne(input, Parser::Kind::kResponse, seed);
  return 0;
}
