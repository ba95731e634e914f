// Sources that ringcast runs itself for a path — an RTSP pull from a camera (net/rtsp/client.h)
// or the built-in demo clip (rtp/demo_source.h) — and how they hand the path its media.
//
//   Source ─OnSourceReady / OnSourcePacket / OnSourceLost─▶ SourceObserver (the path's side,
//   rtp/hub/path_feed.h), which turns them into Stream::Claim / Track::Ingest exactly as it does
//   for an RTSP publisher.
//
// Threads: a source and its observer live on the same worker; calls come from that worker's
// loop. The RtpView passed to OnSourcePacket is valid only during the call.
#ifndef RINGCAST_RTP_SOURCE_H_
#define RINGCAST_RTP_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rtp/rtp_packet.h"
#include "rtp/stream.h"

namespace ringcast::rtp {

class SourceObserver {
 public:
  // Media is about to flow, with these tracks (in SDP order). Called again after every
  // reconnect, before its first packet.
  virtual void OnSourceReady(std::vector<TrackInfo> tracks) = 0;
  // One RTP packet of track `track` (an index into the last OnSourceReady's tracks).
  virtual void OnSourcePacket(size_t track, const RtpView& packet) = 0;
  // Media stopped (connection lost, camera gone, end of a file). The source may come back with
  // OnSourceReady on its own (a reconnecting RTSP pull does).
  virtual void OnSourceLost(std::string_view reason) = 0;

 protected:
  ~SourceObserver() = default;
};

// A running source, as the path that owns it sees it. Destroying it stops it.
class Source {
 public:
  virtual ~Source() = default;

  // Starts delivering to the observer it was created with (which may be called from inside).
  virtual void Start() = 0;
  // No more observer calls, OnSourceLost included (the caller knows). The observer may call it.
  virtual void Stop() = 0;
  // Asks for a keyframe on `track`; false when this source cannot (the demo clip; a camera that
  // is not playing yet).
  virtual bool RequestKeyframe(size_t track) { return false; }
  // Times it started delivering again after losing its media.
  virtual uint64_t reconnects() const { return 0; }
  // What it is, safe for a log line or a stats label: never a password.
  virtual std::string_view description() const = 0;
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_SOURCE_H_
