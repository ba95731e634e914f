#include "net/webrtc/track_sender.h"

#include "core/clock.h"

namespace ringcast::net::webrtc {

TrackSender::TrackSender(const rtp::Track& track, const TrackSenderOptions& options)
    : track_(track), options_(options) {}

void TrackSender::StartAt(uint64_t seq, Mode mode, int64_t now_ns) {
  mode_ = mode;
  next_seq_ = seq;
  live_from_seq_ = mode == Mode::kLive ? seq : UINT64_MAX;
  if (mode == Mode::kCatchUp) {
    std::optional<rtp::HistoryPacket> first = track_.history().Find(seq);
    catch_up_ts_ = first ? first->timestamp : 0;
    catch_up_start_ns_ = now_ns;
  }
}

void TrackSender::Start(int64_t now_ns) {
  if (started_) return;
  started_ = true;
  const rtp::History& history = track_.history();
  bool keyframes = track_.options().codec != rtp::KeyframeCodec::kNone;
  if (!keyframes) {
    StartAt(history.end_seq(), Mode::kLive, now_ns);  // audio: the next packet
    return;
  }
  std::optional<uint64_t> keyframe = history.last_keyframe_seq();
  if (options_.fast_start && keyframe && *keyframe >= history.begin_seq()) {
    StartAt(*keyframe, Mode::kCatchUp, now_ns);
    return;
  }
  mode_ = Mode::kWaitingKeyframe;
  join_keyframe_ = keyframe;
}

uint32_t TrackSender::OutputTimestamp(uint64_t seq, uint32_t timestamp) const {
  if (seq < live_from_seq_) {
    return options_.first_timestamp + (timestamp - catch_up_ts_) / kCatchUpSpeed;
  }
  return timestamp + live_offset_;
}

Outgoing TrackSender::Emit(const rtp::HistoryPacket& packet, int64_t now_ns) {
  if (!mapped_) {
    mapped_ = true;
    first_seq_ = packet.seq;
    seq_delta_ = static_cast<uint64_t>(options_.first_seq) - packet.seq;
  }
  if (packet.seq >= live_from_seq_ && !live_offset_set_) {
    // The first live packet continues the timeline: from the last catch-up packet by the real
    // timestamp difference, or from first_timestamp when nothing came before it.
    live_offset_set_ = true;
    if (packets_sent_ == 0) {
      live_offset_ = options_.first_timestamp - packet.timestamp;
    } else {
      std::optional<rtp::HistoryPacket> previous = track_.history().Find(last_seq_);
      uint32_t previous_ts = previous ? previous->timestamp : packet.timestamp;
      live_offset_ = last_out_ts_ - previous_ts;
    }
  }
  Outgoing out{.packet = packet,
               .seq = static_cast<uint16_t>(packet.seq + seq_delta_),
               .timestamp = OutputTimestamp(packet.seq, packet.timestamp)};
  last_seq_ = packet.seq;
  last_out_ts_ = out.timestamp;
  last_send_ns_ = now_ns;
  ++packets_sent_;
  payload_bytes_sent_ += packet.payload_size;
  if (mode_ == Mode::kCatchUp) ++catch_up_packets_;
  return out;
}

std::optional<Outgoing> TrackSender::Next(int64_t now_ns, const rtp::HistoryPacket* appended) {
  next_due_ns_.reset();
  if (!started_) return std::nullopt;
  const rtp::History& history = track_.history();
  if (mode_ == Mode::kWaitingKeyframe) {
    std::optional<uint64_t> keyframe = history.last_keyframe_seq();
    if (!keyframe || (join_keyframe_ && *keyframe <= *join_keyframe_)) return std::nullopt;
    StartAt(*keyframe, Mode::kLive, now_ns);
  }
  if (next_seq_ < history.begin_seq()) next_seq_ = history.begin_seq();  // evicted meanwhile
  while (next_seq_ < history.end_seq()) {
    // Live, the packet due is the one just appended: no look-up.
    std::optional<rtp::HistoryPacket> packet =
        appended != nullptr && appended->seq == next_seq_ ? *appended : history.Find(next_seq_);
    if (packet && mode_ == Mode::kCatchUp) {
      uint64_t media_ns =
          static_cast<uint64_t>(static_cast<uint32_t>(packet->timestamp - catch_up_ts_)) *
          core::kNsPerSec / track_.options().clock_rate;
      int64_t due = catch_up_start_ns_ + static_cast<int64_t>(media_ns / kCatchUpSpeed);
      if (due > now_ns) {
        next_due_ns_ = due;
        return std::nullopt;
      }
    }
    ++next_seq_;
    if (packet) return Emit(*packet, now_ns);
  }
  if (mode_ == Mode::kCatchUp) {
    // Caught up: everything from here on is sent as it arrives.
    mode_ = Mode::kLive;
    live_from_seq_ = next_seq_;
  }
  return std::nullopt;
}

TrackSender::Retransmission TrackSender::Retransmit(uint16_t seq, int64_t not_before_ns) const {
  if (!mapped_) return {};
  // Unwrap against the newest packet sent: NACKs ask about the recent past.
  uint16_t newest = static_cast<uint16_t>(last_seq_ + seq_delta_);
  uint16_t behind = static_cast<uint16_t>(newest - seq);
  if (behind >= 0x8000 || behind > last_seq_ - first_seq_) return {};
  uint64_t track_seq = last_seq_ - behind;
  std::optional<rtp::HistoryPacket> packet = track_.history().Find(track_seq);
  if (!packet) return {.result = Resend::kGone};
  if (packet->arrival_ns < not_before_ns) return {.result = Resend::kTooOld};
  return {.result = Resend::kSent,
          .out = {.packet = *packet,
                  .seq = seq,
                  .timestamp = OutputTimestamp(track_seq, packet->timestamp)}};
}

uint32_t TrackSender::RtpTimestampAt(int64_t now_ns) const {
  if (packets_sent_ == 0) return options_.first_timestamp;
  int64_t elapsed = std::max<int64_t>(0, now_ns - last_send_ns_);
  return last_out_ts_ +
         static_cast<uint32_t>(elapsed * static_cast<int64_t>(track_.options().clock_rate) /
                               core::kNsPerSec);
}

}  // namespace ringcast::net::webrtc
