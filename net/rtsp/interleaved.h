// Demuxer for an RTSP/TCP byte stream: interleaved binary frames (RFC 2326 §10.12) mixed with
// RTSP messages.
//
//   '$' | channel (1 byte) | length (2 bytes, big-endian) | payload (length bytes)
//
// The stream arrives in chunks of any size (one io_uring receive buffer each), and a chunk is
// recycled as soon as the caller is done with it. The caller pulls what each chunk holds:
//
//   demuxer.Feed(chunk);
//   while (std::optional<Demuxer::Item> item = demuxer.Next()) {
//     if (item->kind == Demuxer::Item::kFrame) Ingest(item->channel, item->payload);
//     else if (!demuxer.ConsumeText(ParseRtsp(item->text))) break;  // a parse error: close
//   }
//
//  - a frame that lies wholly inside a chunk is handed over IN PLACE: the payload points into the
//    chunk (zero copy) and is valid until the next Next() or Feed();
//  - only a frame whose payload straddles two (or more) chunks is copied, into a stitch buffer
//    allocated once at construction (64 KiB + 4: the largest frame the encoding allows), never
//    per packet. A frame whose 4-byte header alone is split keeps its payload in place;
//  - a frame on a channel that is not allowed is skipped without being copied and counted; so is
//    a zero-length frame (no RTP or RTCP packet is empty).
//
// RTSP text — a request or response interleaved with the media: RECORD's answers, GET_PARAMETER
// keep-alives, TEARDOWN — is NOT parsed here. Only the caller's http::Parser (RTSP mode) knows
// where a message ends: a '$' inside a message body (an SDP, a GET_PARAMETER body) is text, and
// a '$' at a message boundary is a frame. So text consumption stays with the caller:
//
//   At a frame boundary, a byte other than '$' starts text. Next() returns a kText item with all
//   the bytes from there to the end of the chunk, and the caller says with ConsumeText(n) how
//   many of them are text. That is what Parser::Feed reports: feed the bytes, Take() each
//   completed message, and pass the offset at which the parser stopped with
//   at_interleaved_frame() (a '$' at a message boundary), or all of them. All of them keeps the
//   demuxer in text mode: the next chunk starts with a kText item too, so a message split over
//   chunks — even one whose next chunk starts with '$' inside its body — stays text. Fewer means
//   the byte there is a '$' that starts a frame. kStopFeeding abandons the stream (a parse error:
//   answer and close); so does a count that breaks this contract.
//
// The caller may change the channel filter between items (a SETUP allows its channels, and the
// next frame is judged by the new filter).
//
// Not thread-safe: one Demuxer per TCP connection, owned by the connection's worker. No heap
// allocation after construction.
#ifndef RINGCAST_NET_RTSP_INTERLEAVED_H_
#define RINGCAST_NET_RTSP_INTERLEAVED_H_

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ringcast::net::rtsp {

// What the demuxer found, by kind. Plain counters; the caller folds them into its stats.
struct DemuxerStats {
  uint64_t frames = 0;              // frames handed to the caller
  uint64_t frame_bytes = 0;         // payload bytes of those frames
  uint64_t stitched_frames = 0;     // of `frames`, those whose payload straddled chunks (copied)
  uint64_t bad_channel_frames = 0;  // skipped: channel not allowed
  uint64_t empty_frames = 0;        // skipped: length 0
  uint64_t text_bytes = 0;          // bytes the caller took as RTSP text
};

class Demuxer {
 public:
  // Largest frame on the wire: 4 header bytes + a 16-bit length.
  static constexpr size_t kMaxFrameBytes = 4 + 65535;

  // All 256 channels are allowed until AllowOnlyChannels() narrows them.
  Demuxer();
  ~Demuxer();
  Demuxer(const Demuxer&) = delete;
  Demuxer& operator=(const Demuxer&) = delete;

  // What Next() found, in stream order.
  struct Item {
    enum Kind { kFrame, kText };
    Kind kind = kFrame;
    uint8_t channel = 0;               // kFrame
    std::span<const uint8_t> payload;  // kFrame: 1..65535 bytes, in the chunk or the stitch buffer
    std::string_view text;             // kText: from here to the end of the chunk
  };
  static constexpr size_t kStopFeeding = static_cast<size_t>(-1);

  // The next bytes of the stream. Items of the previous chunk are no longer valid.
  void Feed(std::span<const uint8_t> chunk);
  // The next whole frame or run of text in the chunk; nullopt when the chunk is used up (its
  // remainder, if any, is kept for the next chunk) or the demuxer has stopped.
  std::optional<Item> Next();
  // After a kText item: how many of its bytes are text (see the file comment), or kStopFeeding.
  // False when the demuxer stops: every later Next() returns nullopt until Reset().
  bool ConsumeText(size_t n);
  bool stopped() const { return state_ == State::kStopped; }

  // Channel filter: frames on other channels are skipped and counted in bad_channel_frames.
  void AllowOnlyChannels(const std::bitset<256>& allowed) { allowed_ = allowed; }
  void AllowChannel(uint8_t channel) { allowed_.set(channel); }
  void AllowAllChannels() { allowed_.set(); }
  bool ChannelAllowed(uint8_t channel) const { return allowed_.test(channel); }

  // Starts over at a frame boundary (a new connection); keeps the channel filter and counters.
  void Reset();

  const DemuxerStats& stats() const { return stats_; }

  // True between frames and text: no frame header or payload is partly read.
  bool AtFrameBoundary() const { return state_ == State::kBoundary || state_ == State::kText; }
  // True when the last text run went to the end of a chunk: the next chunk goes to the sink first.
  bool InText() const { return state_ == State::kText; }

 private:
  enum class State {
    kBoundary,  // between frames; '$' starts a frame, anything else starts text
    kText,      // the sink took text up to the end of the last chunk
    kHeader,    // a frame header is partly in stitch_[0, stitched_)
    kPayload,   // a frame payload is partly in stitch_; `remaining_` bytes to go
    kSkipping,  // dropping `remaining_` bytes of a refused frame
    kStopped,
  };

  // Each of these takes bytes from the front of `rest` and returns how many it used; a frame
  // that is complete is put in `*frame`.
  // The bytes of a frame that started in an earlier chunk.
  size_t ContinueFrame(std::span<const uint8_t> rest, std::optional<Item>* frame);
  // A frame whose header begins at rest[0] ('$').
  size_t StartFrame(std::span<const uint8_t> rest, std::optional<Item>* frame);
  // After a frame header: deliver, skip, or stitch. Returns payload bytes used from `rest`.
  size_t OnHeader(uint8_t channel, size_t length, std::span<const uint8_t> rest,
                  std::optional<Item>* frame);

  State state_ = State::kBoundary;
  std::span<const uint8_t> chunk_;  // the chunk being read, from Feed()
  size_t pos_ = 0;                  // bytes of chunk_ used
  bool text_pending_ = false;       // Next() returned text; ConsumeText() has not said how much
  std::bitset<256> allowed_;
  // A frame that straddles chunks is put together here. Allocated at the first such frame and
  // grown (powers of two from kMinStitch) to the largest one seen, so a connection of 1,500-byte
  // RTP packets keeps 2 KiB, not the 64 KiB a frame may have.
  static constexpr size_t kMinStitch = 2048;
  void ReserveStitch(size_t bytes);  // keeps the bytes stitched so far
  std::vector<uint8_t> stitch_;
  size_t stitched_ = 0;   // bytes in stitch_ (header included)
  size_t remaining_ = 0;  // payload bytes still to come (kPayload, kSkipping)
  uint8_t channel_ = 0;   // of the frame in stitch_
  DemuxerStats stats_;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_INTERLEAVED_H_
