// The SDP answer to a WHIP publisher's offer (RFC 9725 §4.2; JSEP, RFC 8829 §5.3): which of the
// offer's sendonly audio and video sections ringcast takes, with which codec, and what the path's
// tracks will be.
//
// The transport is the one WHEP uses (answer.h): ICE-lite, DTLS passive unless the offer is
// passive, rtcp-mux, one BUNDLE. Each sendonly/sendrecv audio or video section is answered
// recvonly with one codec, chosen in ringcast's order of preference, not the browser's: video
// H.264 (packetization-mode 1 first, then the browser's order of profiles) — what every RTSP
// player and every browser viewer can take — then VP8, VP9, AV1, H.265; audio Opus, then
// G.711. With the codec go its RTX payload type (RFC 4588), so retransmissions and the
// browser's bandwidth probes come on a stream of their own; the feedback ringcast sends (generic
// NACK, PLI, FIR) as far as the offer allows it; and, with `transport_cc`, transport-wide
// congestion control (its header extension and rtcp-fb), without which a browser's send rate
// stays near where it started. Anything else is rejected in place (port 0).
//
// Pure function (allocates; signalling path only), any thread. The returned value owns its
// strings.
#ifndef RINGCAST_NET_WEBRTC_PUBLISH_ANSWER_H_
#define RINGCAST_NET_WEBRTC_PUBLISH_ANSWER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "net/webrtc/answer.h"
#include "rtp/stream.h"

namespace ringcast::net::webrtc {

struct PublishAnswerOptions {
  bool nack = true;          // answer rtcp-fb nack (webrtc.whip_nack)
  bool transport_cc = true;  // answer transport-cc (webrtc.whip_transport_cc)
  size_t max_tracks = 8;     // sections taken at most; the rest are rejected
};

// One section ringcast receives on: a track of the path.
struct IncomingTrack {
  size_t mline_index = 0;
  std::string mid;  // empty when the offer has no a=mid
  // What the path's Stream is claimed with: the media, the chosen codec's rtpmap and fmtp, the
  // payload type the publisher sends with.
  rtp::TrackInfo info;
  int rtx_payload_type = -1;  // the RTX payload type answered with it, or -1
  // From the offer's a=ssrc / a=ssrc-group:FID lines; 0 when it names none (the first packet of
  // the payload type then tells).
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  bool nack = false, pli = false, fir = false;  // feedback the answer allows us to send
};

struct PublishAnswer {
  std::string sdp;
  std::vector<IncomingTrack> tracks;  // in m= order
  RemoteTransport remote;
  // The transport-wide sequence number's extension id, 0 when transport-cc is not answered.
  uint8_t transport_cc_id = 0;
  std::vector<std::string> skipped;  // what was rejected, and why
};

// InvalidArgument with a reason (a 400 for the WHIP client) when the offer does not parse, lacks
// ICE credentials or a fingerprint, or has no section ringcast can take ("no sendonly audio or
// video section with a codec ringcast takes: video has H265 (…)").
absl::StatusOr<PublishAnswer> AnswerPublishOffer(std::string_view offer_sdp,
                                                 const LocalDescription& local,
                                                 const PublishAnswerOptions& options);

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_PUBLISH_ANSWER_H_
