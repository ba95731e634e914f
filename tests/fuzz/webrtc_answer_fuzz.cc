// Fuzz target for net/webrtc/answer and publish_answer: the input is a browser offer, answered as
// a WHEP offer for a fixed path of H.264 (High), Opus, AAC and VP8 tracks, and as a WHIP offer.
//
// An answer must parse back with net/sdp, keep every offered m= section in place and answer at
// least one of them; a refusal must be InvalidArgument with the "webrtc offer:" prefix. A WHIP
// answer's tracks must name sections it accepted, with an RTX payload type only beside a
// video codec and a transport-cc extension id only when it was asked for. Seeds are the real
// captures of tests/data/sdp (browser offers, a WHIP offer, and camera descriptions).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "net/sdp/parser.h"
#include "net/webrtc/answer.h"
#include "net/webrtc/publish_answer.h"

namespace {

using ringcast::net::webrtc::LocalDescription;
using ringcast::net::webrtc::SourceTrack;

SourceTrack Track(const char* media, const char* name, uint32_t clock, int channels,
                  const char* fmtp, uint32_t ssrc) {
  SourceTrack t;
  t.info.media = media;
  t.info.encoding_name = name;
  t.info.payload_type = 96;
  t.info.clock_rate = clock;
  t.info.channels = channels;
  t.info.fmtp = fmtp;
  t.ssrc = ssrc;
  return t;
}

const std::vector<SourceTrack>& Tracks() {
  static const std::vector<SourceTrack> tracks = {
      Track("video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=640028", 1),
      Track("audio", "opus", 48000, 2, "", 2),
      Track("audio", "MPEG4-GENERIC", 44100, 1, "mode=AAC-hbr;config=1208", 3),
      Track("video", "VP8", 90000, 0, "", 4),
  };
  return tracks;
}

const LocalDescription& Local() {
  static const LocalDescription local = {
      {"fuzzUfrg", "fuzzPasswordPasswordPassword"}, "AB:CD", {{"192.0.2.1", 8189}}, "c", "s"};
  return local;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckPublishAnswer(std::string_view offer, bool transport_cc) {
  ringcast::net::webrtc::PublishAnswerOptions options;
  options.transport_cc = transport_cc;
  options.nack = !transport_cc;
  auto answer = ringcast::net::webrtc::AnswerPublishOffer(offer, Local(), options);
  if (!answer.ok()) {
    Check(answer.status().code() == absl::StatusCode::kInvalidArgument);
    Check(answer.status().message().substr(0, 13) == "webrtc offer:");
    return;
  }
  auto parsed_offer = ringcast::net::sdp::ParseSdp(offer);
  auto parsed_answer = ringcast::net::sdp::ParseSdp(answer->sdp);
  Check(parsed_offer.ok() && parsed_answer.ok());
  Check(parsed_answer->media.size() == parsed_offer->media.size());
  Check(!answer->tracks.empty() && answer->tracks.size() <= options.max_tracks);
  Check(transport_cc || answer->transport_cc_id == 0);
  for (const auto& t : answer->tracks) {
    Check(t.mline_index < parsed_answer->media.size());
    Check(parsed_answer->media[t.mline_index].port == 9);
    Check(t.info.media == "audio" || t.info.media == "video");
    Check(t.rtx_payload_type < 0 || t.info.media == "video");
    Check(t.info.payload_type >= 0 && t.info.payload_type <= 127);
    Check(!t.nack || options.nack);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view offer(reinterpret_cast<const char*>(data), size);
  CheckPublishAnswer(offer, size % 2 == 0);
  auto answer = ringcast::net::webrtc::AnswerOffer(offer, Tracks(), Local());
  if (!answer.ok()) {
    Check(answer.status().code() == absl::StatusCode::kInvalidArgument);
    Check(answer.status().message().substr(0, 13) == "webrtc offer:");
    return 0;
  }
  auto parsed_offer = ringcast::net::sdp::ParseSdp(offer);
  auto parsed_answer = ringcast::net::sdp::ParseSdp(answer->sdp);
  Check(parsed_offer.ok() && parsed_answer.ok());
  Check(parsed_answer->media.size() == parsed_offer->media.size());
  Check(!answer->tracks.empty());
  for (const auto& t : answer->tracks) {
    Check(t.track_index < Tracks().size() && t.mline_index < parsed_answer->media.size());
    Check(parsed_answer->media[t.mline_index].port == 9);
  }
  return 0;
}
