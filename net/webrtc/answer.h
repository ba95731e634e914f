// The SDP answer to a browser's WHEP offer (JSEP, RFC 8829 §5.3): which of the offer's m=
// sections carry which of the path's tracks, with which payload type, and the text to send back.
//
// ringcast is ICE-lite (RFC 8445 §2.5), DTLS passive unless the offer insists on being passive
// itself (RFC 5763 §5), sendonly, rtcp-mux only (RFC 8858) and BUNDLEs everything on one UDP
// port (RFC 8843). Each recvonly/sendrecv audio or video section gets at most one source track
// of its kind; every other section is rejected (port 0, kept in place, left out of the BUNDLE
// group). H.264 payload types are chosen by profile (RFC 6184 §8.2.2; ARCHITECTURE.md, "H.264
// profiles"): a Main or High stream is never relabelled as baseline.
//
// AnswerOffer() copies what it keeps: the offer text and the inputs need only live during the
// call, and the returned Answer owns its strings. Pure function (it allocates; signalling path
// only), any thread.
#ifndef RINGCAST_NET_WEBRTC_ANSWER_H_
#define RINGCAST_NET_WEBRTC_ANSWER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "net/stun/ice_lite.h"
#include "rtp/stream.h"

namespace ringcast::net::webrtc {

// A host candidate of ours (RFC 8839 §5.1): an IPv4 or IPv6 literal and the shared UDP port.
struct LocalCandidate {
  std::string address;
  uint16_t port = 0;
};

// What the answer says about us.
struct LocalDescription {
  stun::IceCredentials ice;        // our ufrag/pwd
  std::string fingerprint_sha256;  // "AB:CD:..." (RFC 8122 §5)
  std::vector<LocalCandidate> candidates;
  std::string cname;      // RTCP CNAME for our SSRCs (RFC 7022)
  std::string stream_id;  // for a=msid (RFC 8830)
};

// One track of the path's live stream.
struct SourceTrack {
  rtp::TrackInfo info;       // codec, clock rate, channels, the source's fmtp
  std::vector<uint8_t> sps;  // newest in-band H.264/H.265 SPS NAL unit (header included), or empty
  uint32_t ssrc = 0;         // the SSRC we will send this track with (the caller decides)
};

// Our DTLS role: passive = DTLS server.
enum class AnswerSetup { kPassive, kActive };

struct AnsweredTrack {
  size_t track_index;  // index into the SourceTrack list
  size_t mline_index;  // index of the offer's m= section
  std::string mid;     // empty when the offer has no a=mid
  int payload_type;    // the offer's payload type we send with
  uint32_t clock_rate;
  uint32_t ssrc;
  bool nack = false, pli = false, fir = false;  // rtcp-fb the offer allows for that payload type
};

// The offerer's ICE credentials and DTLS fingerprint (from its first live section, or the session
// level where Firefox puts them), and our DTLS role.
struct RemoteTransport {
  std::string ufrag, pwd;
  std::string fingerprint_hash, fingerprint;
  AnswerSetup setup = AnswerSetup::kPassive;
};

struct Answer {
  std::string sdp;                    // the answer text, CRLF line ends
  std::vector<AnsweredTrack> tracks;  // in m= order
  RemoteTransport remote;
  // Human-readable notes on what was left out and why, e.g.
  // "track 1 (MPEG4-GENERIC audio): no browser codec, left out".
  std::vector<std::string> skipped;
};

// InvalidArgument (a 400 for the WHEP client) with a reason when the offer is not parseable,
// lacks ICE credentials or a DTLS fingerprint, has no audio/video section we could send on, or
// when no section can carry any track ("offer has no codec for this path's tracks: source has
// H264 (profile 640028) video; offer video has VP8, VP9"). A track no offered codec can carry is
// left out with a note in `skipped`, not an error.
//
// Offers without a=group:BUNDLE (old Firefox) get one answered section only: ringcast has a
// single transport per session.
absl::StatusOr<Answer> AnswerOffer(std::string_view offer_sdp, std::span<const SourceTrack> tracks,
                                   const LocalDescription& local);

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_ANSWER_H_
