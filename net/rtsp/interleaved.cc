#include "net/rtsp/interleaved.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ringcast::net::rtsp {
namespace {

constexpr size_t kHeaderBytes = 4;
constexpr uint8_t kFrameMagic = '$';

}  // namespace

Demuxer::Demuxer() { allowed_.set(); }

void Demuxer::ReserveStitch(size_t bytes) {
  if (bytes <= stitch_.size()) return;
  stitch_.resize(std::min(kMaxFrameBytes, std::bit_ceil(std::max(bytes, kMinStitch))));
}

Demuxer::~Demuxer() = default;

void Demuxer::Reset() {
  state_ = State::kBoundary;
  chunk_ = {};
  pos_ = 0;
  text_pending_ = false;
  stitched_ = 0;
  remaining_ = 0;
  channel_ = 0;
}

void Demuxer::Feed(std::span<const uint8_t> chunk) {
  chunk_ = chunk;
  pos_ = 0;
  text_pending_ = false;
}

std::optional<Demuxer::Item> Demuxer::Next() {
  if (text_pending_) {  // the caller did not say how much of the text it took
    state_ = State::kStopped;
    text_pending_ = false;
  }
  while (pos_ < chunk_.size() && state_ != State::kStopped) {
    std::span<const uint8_t> rest = chunk_.subspan(pos_);
    std::optional<Item> frame;
    switch (state_) {
      case State::kBoundary:
        if (rest[0] != kFrameMagic) {
          text_pending_ = true;
          return Item{.kind = Item::kText,
                      .text = {reinterpret_cast<const char*>(rest.data()), rest.size()}};
        }
        pos_ += StartFrame(rest, &frame);
        break;
      case State::kText:
        // The caller decides: a message may still be in progress.
        text_pending_ = true;
        return Item{.kind = Item::kText,
                    .text = {reinterpret_cast<const char*>(rest.data()), rest.size()}};
      case State::kHeader:
      case State::kPayload:
      case State::kSkipping:
        pos_ += ContinueFrame(rest, &frame);
        break;
      case State::kStopped:
        break;
    }
    if (frame) return frame;
  }
  return std::nullopt;
}

bool Demuxer::ConsumeText(size_t n) {
  if (!text_pending_ || state_ == State::kStopped) {
    state_ = State::kStopped;
    return false;
  }
  text_pending_ = false;
  const std::span<const uint8_t> text = chunk_.subspan(pos_);
  if (n == kStopFeeding || n > text.size() || (n < text.size() && text[n] != kFrameMagic)) {
    state_ = State::kStopped;
    return false;
  }
  stats_.text_bytes += n;
  pos_ += n;
  state_ = n == text.size() ? State::kText : State::kBoundary;
  return true;
}

size_t Demuxer::StartFrame(std::span<const uint8_t> rest, std::optional<Item>* frame) {
  if (rest.size() < kHeaderBytes) {
    stitched_ = 0;
    ReserveStitch(kHeaderBytes);
    std::memcpy(stitch_.data(), rest.data(), rest.size());
    stitched_ = rest.size();
    state_ = State::kHeader;
    return rest.size();
  }
  const uint8_t channel = rest[1];
  const size_t length = static_cast<size_t>(rest[2]) << 8 | rest[3];
  return kHeaderBytes + OnHeader(channel, length, rest.subspan(kHeaderBytes), frame);
}

size_t Demuxer::OnHeader(uint8_t channel, size_t length, std::span<const uint8_t> rest,
                         std::optional<Item>* frame) {
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
    *frame = Item{.kind = Item::kFrame, .channel = channel, .payload = rest.first(length)};
    return length;
  }
  ReserveStitch(kHeaderBytes + length);
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
  std::memcpy(stitch_.data() + kHeaderBytes, rest.data(), rest.size());
  stitched_ = kHeaderBytes + rest.size();
  remaining_ = length - rest.size();
  channel_ = channel;
  state_ = State::kPayload;
  return rest.size();
}

size_t Demuxer::ContinueFrame(std::span<const uint8_t> chunk, std::optional<Item>* frame) {
  switch (state_) {
    case State::kHeader: {
      const size_t take = std::min(kHeaderBytes - stitched_, chunk.size());
      std::memcpy(stitch_.data() + stitched_, chunk.data(), take);
      stitched_ += take;
      if (stitched_ < kHeaderBytes) return take;
      const uint8_t channel = stitch_[1];
      const size_t length = static_cast<size_t>(stitch_[2]) << 8 | stitch_[3];
      return take + OnHeader(channel, length, chunk.subspan(take), frame);
    }
    case State::kPayload: {
      const size_t take = std::min(remaining_, chunk.size());
      std::memcpy(stitch_.data() + stitched_, chunk.data(), take);
      stitched_ += take;
      remaining_ -= take;
      if (remaining_ == 0) {
        const size_t length = stitched_ - kHeaderBytes;
        state_ = State::kBoundary;
        stitched_ = 0;
        ++stats_.frames;
        ++stats_.stitched_frames;
        stats_.frame_bytes += length;
        *frame = Item{.kind = Item::kFrame,
                      .channel = channel_,
                      .payload = {stitch_.data() + kHeaderBytes, length}};
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
