// Fuzz target for net/sdp: ParseSdp, WriteSdp and the codec parameter extraction.
//
// Every input is parsed. When it parses, WriteSdp's text must parse again to an equal Session
// and be a fixed point of write(parse(.)); every typed lookup and DescribeTrack for every
// payload type must run (under the sanitizers) without trouble. The input is also parsed with
// small limits, which must either agree with the default parse or stop on a limit. Errors must
// carry the "sdp" prefix. Seeds (corpus/sdp) are the real captures of tests/data/sdp.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/base64.h"
#include "net/sdp/codec_params.h"
#include "net/sdp/parser.h"
#include "net/sdp/session.h"
#include "net/sdp/writer.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ringcast::core::Base64Decode;
using ringcast::core::Base64Encode;
using ringcast::net::sdp::DescribeTrack;
using ringcast::net::sdp::DescribeTracks;
using ringcast::net::sdp::Limits;
using ringcast::net::sdp::Media;
using ringcast::net::sdp::ParseSdp;
using ringcast::net::sdp::Session;
using ringcast::net::sdp::TrackDescription;
using ringcast::net::sdp::WriteSdp;

bool IsSdpError(const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  return message.substr(0, 4) == "sdp:" || message.substr(0, 9) == "sdp line ";
}

// Touches every typed lookup; the results only have to exist.
size_t ExerciseLookups(const Session& session) {
  size_t n = session.Extmaps().size() + session.Fingerprint().has_value();
  n += session.Direction().has_value();
  for (const Media& m : session.media) {
    n += m.RtpMaps().size() + m.RtcpFeedbacks().size() + m.Ssrcs().size() + m.Extmaps().size();
    n += m.Fingerprint().has_value() + m.Mid().has_value() + m.RtcpMux();
    n += static_cast<size_t>(session.DirectionOf(m));
    for (int pt : m.PayloadTypes()) {
      n += m.RtcpFeedbackFor(pt).size();
      if (auto fmtp = m.Fmtp(pt)) n += fmtp->parameters.size();
      absl::StatusOr<TrackDescription> track = DescribeTrack(m, pt);
      if (track.ok()) {
        FUZZ_CHECK(track->payload_type == pt);
        if (track->h264) n += track->h264->sps.size() + track->h264->pps.size();
        if (track->h265) n += track->h265->vps.size();
        if (track->aac) FUZZ_CHECK(track->aac->sample_rate > 0);
      } else {
        FUZZ_CHECK(IsSdpError(track.status()));
      }
    }
    n += DescribeTracks(m).size();
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Base64 on the raw input: whatever decodes must encode back to something that decodes
  // to the same bytes.
  if (size <= 4096) {
    if (auto bytes = Base64Decode(text)) FUZZ_CHECK(Base64Decode(Base64Encode(*bytes)) == *bytes);
  }

  absl::StatusOr<Session> parsed = ParseSdp(text);

  Limits small;
  small.max_bytes = 2048;
  small.max_media = 3;
  small.max_attributes = 12;
  absl::StatusOr<Session> limited = ParseSdp(text, small);
  if (limited.ok()) {
    FUZZ_CHECK(parsed.ok() && *limited == *parsed);
  } else if (parsed.ok()) {
    FUZZ_CHECK(limited.status().code() == absl::StatusCode::kResourceExhausted);
  }

  if (!parsed.ok()) {
    FUZZ_CHECK(IsSdpError(parsed.status()));
    return 0;
  }

  const std::string written = WriteSdp(*parsed);
  // The canonical text may be longer than the input (CRLF for LF, an added "s="), never by
  // more than this.
  Limits relaxed;
  relaxed.max_bytes = 2 * size + 16;
  absl::StatusOr<Session> again = ParseSdp(written, relaxed);
  if (!again.ok()) std::fprintf(stderr, "%s\n", std::string(again.status().message()).c_str());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *parsed);
  FUZZ_CHECK(WriteSdp(*again) == written);

  volatile size_t sink = ExerciseLookups(*parsed);
  (void)sink;
  return 0;
}
