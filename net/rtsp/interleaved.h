// Demuxer for an RTSP/TCP byte stream: interleaved binary frames (RFC 2326 §10.12) mixed with
// RTSP messages.
//
//   '$' | channel (1 byte) | length (2 bytes, big-endian) | payload (length bytes)
//
// The stream arrives in chunks of any size (one io_uring receive buffer each), and a chunk is
// recycled as soon as Feed() returns. So:
//  - a frame that lies wholly inside a chunk is handed to the sink IN PLACE: the span points into
//    the chunk (zero copy) and is valid only during the OnInterleavedFrame call;
//  - only a frame whose payload straddles two (or more) chunks is copied, into a stitch buffer
//    allocated once at construction (64 KiB + 4: the largest frame the encoding allows), never
//    per packet. A frame whose 4-byte header alone is split keeps its payload in place;
//  - a frame on a channel that is not allowed (no SETUP made it) is skipped without being copied
//    and counted; so is a zero-length frame (no RTP or RTCP packet is empty).
//
// RTSP text — a request or response interleaved with the media: RECORD's answers, GET_PARAMETER
// keep-alives, TEARDOWN — is NOT parsed here. Only the caller's http::Parser (RTSP mode) knows
// where a message ends: a '$' inside a message body (an SDP, a GET_PARAMETER body) is text, and
// a '$' at a message boundary is a frame. So text consumption stays with the caller:
//
//   At a frame boundary, a byte other than '$' starts text. The demuxer hands the sink all the
//   bytes from there to the end of the chunk (OnInterleavedText) and the sink returns how many of
//   them are text. That is what Parser::Feed reports: feed the bytes, Take() each completed
//   message, and return the offset at which the parser stopped with at_interleaved_frame() (a
//   '$' at a message boundary), or all of them. Returning all of them keeps the demuxer in text
//   mode: the next chunk goes to the sink first too, so a message split over chunks — even one
//   whose next chunk starts with '$' inside its body — stays text. Returning fewer means the
//   byte there is a '$' that starts a frame.
//
// The sink may change the channel filter from its callbacks (a SETUP allows its channels, and
// the next frame is judged by the new filter), but must not call Feed() or Reset() from them.
//
// Not thread-safe: one Demuxer per TCP connection, owned by the connection's worker. No heap
// allocation after construction.
#ifndef RINGCAST_NET_RTSP_INTERLEAVED_H_
#define RINGCAST_NET_RTSP_INTERLEAVED_H_

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace ringcast::net::rtsp {

// What the demuxer found, by kind. Plain counters; the caller folds them into its stats.
struct DemuxerStats {
  uint64_t frames = 0;              // frames handed to the sink
  uint64_t frame_bytes = 0;         // payload bytes of those frames
  uint64_t stitched_frames = 0;     // of `frames`, those whose payload straddled chunks (copied)
  uint64_t bad_channel_frames = 0;  // skipped: channel not allowed
  uint64_t empty_frames = 0;        // skipped: length 0
  uint64_t text_bytes = 0;          // bytes the sink took as RTSP text
};

class InterleavedSink {
 public:
  virtual ~InterleavedSink() = default;

  // One whole frame on an allowed channel. `payload` (1..65535 bytes) points into the chunk
  // being fed or into the demuxer's stitch buffer: valid only during this call.
  virtual void OnInterleavedFrame(uint8_t channel, std::span<const uint8_t> payload) = 0;

  // RTSP text. `text` runs from the current position to the end of the chunk (valid only during
  // this call). Return how many bytes are text: text.size() when all are (the message may go on
  // in the next chunk); n < text.size() when text[n] is a '$' at a message boundary (a frame
  // starts there); or kStopFeeding to abandon the stream (a parse error: answer and close).
  // Returning n < text.size() where text[n] is not '$', or 0 for a text that does not start
  // with '$', is a contract violation and stops the feed the same way.
  virtual size_t OnInterleavedText(std::string_view text) = 0;

  static constexpr size_t kStopFeeding = static_cast<size_t>(-1);
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

  // Parses `chunk` (the next bytes of the stream) and calls `sink` for each whole frame and each
  // run of text, in stream order. Returns false when the sink returned kStopFeeding or broke the
  // text contract; the rest of the chunk is not looked at and every later Feed() returns false
  // until Reset().
  [[nodiscard]] bool Feed(std::span<const uint8_t> chunk, InterleavedSink& sink);

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

  // Handles the bytes of a frame that started in an earlier chunk; returns bytes used.
  size_t ContinueFrame(std::span<const uint8_t> chunk, InterleavedSink& sink);
  // Starts a frame whose header begins at chunk[0] ('$'); returns bytes used.
  size_t StartFrame(std::span<const uint8_t> chunk, InterleavedSink& sink);
  // After a frame header: deliver, skip, or stitch. Returns payload bytes used from `rest`.
  size_t OnHeader(uint8_t channel, size_t length, std::span<const uint8_t> rest,
                  InterleavedSink& sink);
  // Gives text from chunk[0] to the sink; returns bytes used, or kStopFeeding.
  size_t GiveText(std::span<const uint8_t> chunk, InterleavedSink& sink);

  State state_ = State::kBoundary;
  std::bitset<256> allowed_;
  std::unique_ptr<uint8_t[]> stitch_;  // kMaxFrameBytes, allocated once
  size_t stitched_ = 0;                // bytes in stitch_ (header included)
  size_t remaining_ = 0;               // payload bytes still to come (kPayload, kSkipping)
  uint8_t channel_ = 0;                // of the frame in stitch_
  DemuxerStats stats_;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_INTERLEAVED_H_
