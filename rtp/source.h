// SourceObserver: how a source that ringcast runs itself — an RTSP pull from a camera
// (net/rtsp/client.h) or the built-in demo clip (rtp/demo_source.h) — hands a path its media.
// The path's side (PathHub) turns these calls into Stream::Claim / Track::Ingest, exactly as
// it does for an RTSP publisher.
//
// Threads: the source and its observer live on the same worker; calls come from that worker's
// loop. The RtpView passed to OnSourcePacket is valid only during the call.
#ifndef RINGCAST_RTP_SOURCE_H_
#define RINGCAST_RTP_SOURCE_H_

#include <cstddef>
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

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_SOURCE_H_
