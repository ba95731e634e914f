// TrackSender: which of a track's packets one WebRTC viewer gets, when, and under which sequence
// number and RTP timestamp. It reads the track's History (the one shared copy) and keeps no
// packets of its own: a few integers per viewer and track. It only decides; its owner (the
// session) sends what Next() and Retransmit() return.
//
// Start points (ARCHITECTURE.md, "Fast start"):
//   - fast start (video with a keyframe in the History): from the last keyframe, every packet
//     since, paced at kCatchUpSpeed × real time with the timestamps compressed by the same
//     factor, so the decoder fast-forwards through the GOP instead of lagging it behind live;
//     once the cursor reaches the newest packet the viewer is live, and a timestamp offset
//     keeps its timeline continuous from there on;
//   - otherwise video waits for the next keyframe, and audio (or a codec without keyframes
//     the track understands) starts with the next packet.
// NACKed packets are mapped back to the track's numbering and sent again from the History with
// the sequence number and timestamp they had.
//
// Ownership and threads: owned by a WebRtcSession; worker thread only. An Outgoing holds a view
// of History bytes, valid until the track's next packet is appended.
#ifndef RINGCAST_NET_WEBRTC_TRACK_SENDER_H_
#define RINGCAST_NET_WEBRTC_TRACK_SENDER_H_

#include <cstdint>
#include <optional>

#include "rtp/history.h"
#include "rtp/track.h"

namespace ringcast::net::webrtc {

// One packet for the viewer: the stored packet and the numbering it leaves with.
struct Outgoing {
  rtp::HistoryPacket packet;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
};

struct TrackSenderOptions {
  uint32_t ssrc = 0;
  uint8_t payload_type = 96;
  uint32_t clock_rate = 90000;
  bool fast_start = true;
  uint16_t first_seq = 0;        // random, RFC 3550 §5.1
  uint32_t first_timestamp = 0;  // random
  bool nack = true;              // rtcp-fb nack agreed for this track
  bool pli = false;
  bool fir = false;
};

// Catch-up pace relative to real time: a 2 s run since the keyframe leaves in 0.5 s at 4× the
// stream's bitrate — fast enough to show live within a second, slow enough not to cause the
// loss a single burst would.
inline constexpr uint32_t kCatchUpSpeed = 4;

class TrackSender {
 public:
  TrackSender(const rtp::Track& track, const TrackSenderOptions& options);

  const TrackSenderOptions& options() const { return options_; }
  const rtp::Track& track() const { return track_; }

  // The viewer can receive from now on (DTLS-SRTP is up): choose the start point.
  void Start(int64_t now_ns);
  bool started() const { return started_; }
  bool live() const { return mode_ == Mode::kLive; }
  // Video that cannot start before the source's next keyframe.
  bool waiting_for_keyframe() const { return mode_ == Mode::kWaitingKeyframe; }

  // The next packet due for this viewer at `now_ns`, counted as sent; nullopt when none is (then
  // next_due_ns() says when the next catch-up packet is, if one is waiting). Call it until
  // nullopt after a packet was appended to the track — `appended` is that packet, so the live
  // case needs no History look-up — and when the catch-up timer fires.
  std::optional<Outgoing> Next(int64_t now_ns, const rtp::HistoryPacket* appended = nullptr);
  std::optional<int64_t> next_due_ns() const { return next_due_ns_; }

  enum class Resend { kSent, kNotSent, kGone, kTooOld };
  struct Retransmission {
    Resend result = Resend::kNotSent;
    Outgoing out;  // when kSent: the packet again, with the numbering it had
  };
  // A NACK for `seq` (viewer numbering): kNotSent when we never sent it, kGone when the History
  // no longer has it (or the source never delivered it), kTooOld when it arrived before
  // `not_before_ns` (outside the NACK window: the History keeps a whole GOP, but a packet that
  // old is no use to a jitter buffer and only a misbehaving viewer asks for it).
  Retransmission Retransmit(uint16_t seq, int64_t not_before_ns = INT64_MIN) const;

  // The RTP timestamp of "now" in this viewer's numbering, for sender reports.
  uint32_t RtpTimestampAt(int64_t now_ns) const;
  bool has_sent() const { return packets_sent_ > 0; }
  uint64_t packets_sent() const { return packets_sent_; }
  uint64_t payload_bytes_sent() const { return payload_bytes_sent_; }
  uint64_t catch_up_packets() const { return catch_up_packets_; }
  uint16_t highest_seq_sent() const { return static_cast<uint16_t>(last_seq_ + seq_delta_); }

 private:
  enum class Mode { kWaiting, kWaitingKeyframe, kCatchUp, kLive };

  uint32_t OutputTimestamp(uint64_t seq, uint32_t timestamp) const;
  Outgoing Emit(const rtp::HistoryPacket& packet, int64_t now_ns);
  void StartAt(uint64_t seq, Mode mode, int64_t now_ns);

  const rtp::Track& track_;
  TrackSenderOptions options_;
  bool started_ = false;
  Mode mode_ = Mode::kWaiting;
  std::optional<uint64_t> join_keyframe_;  // kWaitingKeyframe: the keyframe seen at Start
  uint64_t next_seq_ = 0;                  // next track sequence number to send

  // Numbering: output seq = track seq + seq_delta_ (mod 2^16).
  bool mapped_ = false;
  uint64_t seq_delta_ = 0;
  uint64_t first_seq_ = 0;  // first track seq sent
  uint64_t last_seq_ = 0;   // highest track seq sent

  // Timestamps: catch-up packets (seq < live_from_seq_) get
  // first_timestamp + (ts - catch_up_ts_) / kCatchUpSpeed; live ones ts + live_offset_.
  uint64_t live_from_seq_ = 0;
  uint32_t catch_up_ts_ = 0;
  int64_t catch_up_start_ns_ = 0;
  uint32_t live_offset_ = 0;
  bool live_offset_set_ = false;

  uint32_t last_out_ts_ = 0;
  int64_t last_send_ns_ = 0;
  std::optional<int64_t> next_due_ns_;
  uint64_t packets_sent_ = 0;
  uint64_t payload_bytes_sent_ = 0;
  uint64_t catch_up_packets_ = 0;
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_TRACK_SENDER_H_
