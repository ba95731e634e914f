#include "net/rtsp/interleaved.h"

#include <algorithm>
#include <cstring>

namespace ringcast::net::rtsp {
namespace {

constexpr size_t kHeaderBytes = 4;
constexpr uint8_t kFrameMagic = '$';

}  // namespace

Demuxer::Demuxer() : stitch_(std::make_unique_for_overwrite<uint8_t[]>(kMaxFrameBytes)) {
  allowed_.set();
}

Demuxer::~Demuxer() = default;

void Demuxer::Reset() {
  state_ = State::kBoundary;
  stitched_ = 0;
  remaining_ = 0;
  channel_ = 0;
}

bool Demuxer::Feed(std::span<const uint8_t> chunk, InterleavedSink& sink) {
  size_t pos = 0;
  while (pos < chunk.size() && state_ != State::kStopped) {
    std::span<const uint8_t> rest = chunk.subspan(pos);
    size_t used = 0;
    switch (state_) {
      case State::kBoundary:
        used = rest[0] == kFrameMagic ? StartFrame(rest, sink) : GiveText(rest, sink);
        break;
      case State::kText:
        // The sink decides: a message may still be in progress.
        used = GiveText(rest, sink);
        break;
      case State::kHeader:
      case State::kPayload:
      case State::kSkipping:
        used = ContinueFrame(rest, sink);
        break;
      case State::kStopped:
        break;
    }
    pos += used;
  }
  return state_ != State::kStopped;
}

size_t Demuxer::GiveText(std::span<const uint8_t> chunk, InterleavedSink& sink) {
  const std::string_view text(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  const size_t n = sink.OnInterleavedText(text);
  if (n == InterleavedSink::kStopFeeding || n > text.size() ||
      (n < text.size() && text[n] != kFrameMagic)) {
    state_ = State::kStopped;
    return 0;
  }
  stats_.text_bytes += n;
  state_ = n == text.size() ? State::kText : State::kBoundary;
  return n;
}

size_t Demuxer::StartFrame(std::span<const uint8_t> chunk, InterleavedSink& sink) {
  if (chunk.size() < kHeaderBytes) {
    std::memcpy(stitch_.get(), chunk.data(), chunk.size());
    stitched_ = chunk.size();
    state_ = State::kHeader;
    return chunk.size();
  }
  const uint8_t channel = chunk[1];
  const size_t length = static_cast<size_t>(chunk[2]) << 8 | chunk[3];
  return kHeaderBytes + OnHeader(channel, length, chunk.subspan(kHeaderBytes), sink);
}

size_t Demuxer::OnHeader(uint8_t channel, size_t length, std::span<const uint8_t> rest,
                         InterleavedSink& sink) {
  state_ = State::kBoundary;
  stitched_ = 0;
  if (length == 0) {
    ++stats_.empty_frames;
    return 0;
  }
  if (!allowed_.test(channel)) {
    ++stats_.bad_channel_frames;
    if (rest.size() >= length) return length;
    remaining_ = length - rest.size();
    state_ = State::kSkipping;
    return rest.size();
  }
  if (rest.size() >= length) {
    // The common case: the payload is whole in this chunk (even if its header was stitched).
    ++stats_.frames;
    stats_.frame_bytes += length;
    sink.OnInterleavedFrame(channel, rest.first(length));
    return length;
  }
  stitch_[0] = kFrameMagic;
  stitch_[1] = channel;
  stitch_[2] = static_cast<uint8_t>(length >> 8);
  stitch_[3] = static_cast<uint8_t>(length);
  if (rest.empty()) {
    // The chunk ended right after the header: keep just the header, so that a payload wholly
    // inside the next chunk is still handed over in place.
    stitched_ = kHeaderBytes;
    state_ = State::kHeader;
    return 0;
  }
  std::memcpy(stitch_.get() + kHeaderBytes, rest.data(), rest.size());
  stitched_ = kHeaderBytes + rest.size();
  remaining_ = length - rest.size();
  channel_ = channel;
  state_ = State::kPayload;
  return rest.size();
}

size_t Demuxer::ContinueFrame(std::span<const uint8_t> chunk, InterleavedSink& sink) {
  switch (state_) {
    case State::kHeader: {
      const size_t take = std::min(kHeaderBytes - stitched_, chunk.size());
      std::memcpy(stitch_.get() + stitched_, chunk.data(), take);
      stitched_ += take;
      if (stitched_ < kHeaderBytes) return take;
      const uint8_t channel = stitch_[1];
      const size_t length = static_cast<size_t>(stitch_[2]) << 8 | stitch_[3];
      return take + OnHeader(channel, length, chunk.subspan(take), sink);
    }
    case State::kPayload: {
      const size_t take = std::min(remaining_, chunk.size());
      std::memcpy(stitch_.get() + stitched_, chunk.data(), take);
      stitched_ += take;
      remaining_ -= take;
      if (remaining_ == 0) {
        const size_t length = stitched_ - kHeaderBytes;
        state_ = State::kBoundary;
        stitched_ = 0;
        ++stats_.frames;
        ++stats_.stitched_frames;
        stats_.frame_bytes += length;
        sink.OnInterleavedFrame(channel_, {stitch_.get() + kHeaderBytes, length});
      }
      return take;
    }
    case State::kSkipping: {
      const size_t take = std::min(remaining_, chunk.size());
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::kBoundary;
      return take;
    }
    default:
      return 0;
  }
}

}  // namespace ringcast::net::rtsp
