// DemoSource: the built-in `demo` path's source — a short H.264 clip played in a loop, paced
// in real time, fed to a SourceObserver exactly as an RTSP publisher's packets would be.
//
// The clip is raw Annex B H.264 (constrained baseline 640x360, 25 fps, 10 s, an IDR with
// SPS/PPS in front every second) made by ffmpeg at build time (packaging/demo.cmake):
//   build tree:  <build>/demo/demo.h264 (ringcastd is <build>/bin/ringcastd)
//   packages:    /usr/share/ringcast/demo.h264 (or /usr/local/share/... for `make install`)
// DefaultDemoClipPaths() lists those candidates in the order the daemon should try them.
//
// Create() reads the whole file once (at most 64 MiB) and splits it into access units; the
// clip is then played from memory: one access unit every 1/fps, packetized (RFC 6184 mode 1)
// into one packet buffer and handed to SourceObserver::OnSourcePacket, which sees a view valid
// only during the call. Sequence numbers (+1 per packet) and RTP timestamps (+90000/fps per
// access unit) run on continuously when the clip loops back to its first access unit, which
// is an IDR, so a viewer sees one endless stream. No allocation per packet.
//
// Threads: created, started, stopped and destroyed on the thread that runs `ring`; callbacks
// come from that ring's loop (a core::Timer). The observer may call Stop() from a callback but
// must not destroy the DemoSource there.
#ifndef RINGCAST_RTP_DEMO_SOURCE_H_
#define RINGCAST_RTP_DEMO_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/ring.h"
#include "core/status.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/h264_packetizer.h"
#include "rtp/source.h"
#include "rtp/stream.h"

namespace ringcast::rtp {

// The candidate locations of the demo clip, most specific first:
// `${executable_dir}/../demo/demo.h264` (the build tree; left out when executable_dir is
// empty), /usr/share/ringcast/demo.h264, /usr/local/share/ringcast/demo.h264.
std::vector<std::string> DefaultDemoClipPaths(const std::string& executable_dir);

// The first of `candidates` that is a readable regular file, or NotFound listing them all.
absl::StatusOr<std::string> FindDemoClip(const std::vector<std::string>& candidates);

struct DemoOptions {
  int fps = 25;                // access units per second, 1..240
  size_t max_payload = 1200;   // RTP payload bytes per packet, 64..65000
  uint32_t ssrc = 0x52430DE0;  // the track renumbers anyway; fixed so captures are readable
  uint16_t first_sequence_number = 0;
  uint32_t first_timestamp = 0;
  // Tests: loop back to the first access unit after this many (0: play the whole clip).
  size_t loop_after_access_units = 0;
};

class DemoSource final : public Source {
 public:
  // The clip may be no larger than this; the shipped one is about 1 MiB.
  static constexpr size_t kMaxClipBytes = size_t{64} << 20;
  // After a stall (a busy loop, a suspended VM) at most this many access units go out at
  // once; beyond that the schedule moves on rather than bursting the whole backlog.
  static constexpr int kMaxCatchUpFrames = 3;
  static constexpr int kPayloadType = 96;
  static constexpr uint32_t kClockRate = 90000;

  // Reads and splits `clip_path`. Errors name the file: unreadable, not a regular file, over
  // kMaxClipBytes, no H.264 in it, no SPS/PPS (or an SPS that does not parse), no IDR. Access
  // units before the first IDR are dropped so the clip (and each loop) starts on a keyframe.
  // Nothing is sent before Start().
  static absl::StatusOr<std::unique_ptr<DemoSource>> Create(core::Ring& ring,
                                                            const std::string& clip_path,
                                                            SourceObserver& observer,
                                                            const DemoOptions& options = {});
  ~DemoSource() override;  // Stop()s

  DemoSource(const DemoSource&) = delete;
  DemoSource& operator=(const DemoSource&) = delete;

  // Calls OnSourceReady with the one video track (track_info()), then sends the first access
  // unit from the ring's next loop iteration and one every 1/fps after it. Starting again
  // after Stop() begins at the first access unit (a keyframe) with numbering continuing.
  // No-op while running.
  void Start() override;
  // Disarms the timer: nothing more is sent. OnSourceLost is not called (the caller knows).
  void Stop() override;
  bool running() const { return running_; }

  // H264/90000, PT 96, fmtp "packetization-mode=1;profile-level-id=<SPS>;
  // sprop-parameter-sets=<SPS>,<PPS>" (h264::BuildFmtp), keyframe codec H.264.
  const TrackInfo& track_info() const { return track_info_; }
  const std::string& clip_path() const { return clip_path_; }
  std::string_view description() const override { return "the demo clip"; }
  size_t access_unit_count() const { return access_units_.size(); }
  const h264::Sps& sps() const { return sps_; }

  uint64_t access_units_sent() const { return access_units_sent_; }
  uint64_t packets_sent() const { return packets_sent_; }
  uint64_t loops() const { return loops_; }              // times the clip wrapped to its start
  uint64_t late_resets() const { return late_resets_; }  // schedule moved on after a stall

 private:
  DemoSource(core::Ring& ring, SourceObserver& observer, const DemoOptions& options);
  absl::Status Load(const std::string& clip_path);
  void OnTimer();
  // Packetizes the next access unit and hands its packets to the observer.
  void SendAccessUnit();
  int64_t DueNs(uint64_t frame) const;

  SourceObserver& observer_;
  DemoOptions options_;
  std::string clip_path_;
  std::vector<uint8_t> clip_;  // the file's bytes; access_units_ point into them
  std::vector<h264::AccessUnit> access_units_;
  h264::Sps sps_;
  TrackInfo track_info_;
  h264::Packetizer packetizer_;
  std::vector<uint8_t> packet_;  // one RTP packet: header + max_payload
  core::Timer timer_;
  bool running_ = false;

  // Pacing: access unit `frame` is due at schedule_base_ns_ + (frame - schedule_base_frame_) /
  // fps, computed from the count so the schedule does not drift.
  int64_t schedule_base_ns_ = 0;
  uint64_t schedule_base_frame_ = 0;
  uint64_t next_frame_ = 0;  // frames sent since the last Start(): drives the schedule
  size_t next_access_unit_ = 0;

  uint16_t sequence_number_ = 0;
  uint64_t access_units_sent_ = 0;  // since Create(): drives the RTP timestamp
  uint64_t packets_sent_ = 0;
  uint64_t loops_ = 0;
  uint64_t late_resets_ = 0;
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_DEMO_SOURCE_H_
