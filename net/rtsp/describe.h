// Between SDP and a Stream's tracks, both ways: the tracks a source's SDP (an ANNOUNCE body or a
// camera's DESCRIBE answer) describes, and the SDP a reader gets for a Stream (DESCRIBE).
// Plain functions; any thread.
#ifndef RINGCAST_NET_RTSP_DESCRIBE_H_
#define RINGCAST_NET_RTSP_DESCRIBE_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "net/sdp/session.h"
#include "rtp/stream.h"

namespace ringcast::net::rtsp {

struct SourceTracks {
  std::vector<rtp::TrackInfo> tracks;
  std::vector<std::string> controls;  // each track's a=control ("" when absent), for SETUP
};

// One track per m= section with RTP formats (its first payload type). Errors name the problem
// ("payload type 96 has no a=rtpmap", "no RTP media").
absl::StatusOr<SourceTracks> TracksFromSdp(const sdp::Session& session);

// The SDP a reader gets: one m= section per track with the source's rtpmap and fmtp, and
// a=control:trackID=N for SETUP.
std::string DescribeStream(const rtp::Stream& stream);

// The URL to SETUP a track: `control` resolved against `base` (RFC 2326 §C.1.1): an absolute
// rtsp:// control is used as it is, "*" or "" means the base itself, anything else is appended.
std::string ResolveControl(std::string_view base, std::string_view control);

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_DESCRIBE_H_
