#include "net/webrtc/publish_answer.h"

#include <charconv>
#include <optional>
#include <string>
#include <utility>

#include "core/status.h"
#include "core/strings.h"
#include "net/sdp/codec_params.h"
#include "net/sdp/parser.h"
#include "net/sdp/session.h"
#include "net/sdp/writer.h"
#include "net/webrtc/answer_parts.h"
#include "rtp/transport_sequence.h"

namespace ringcast::net::webrtc {
namespace {

using answer_parts::Invalid;
using core::StrAppend;
using core::StrCat;
using sdp::Codec;

// Lower is better; nullopt: not taken. Video: what RTSP players and browsers all decode first.
std::optional<int> Preference(const sdp::Media& section, const sdp::TrackDescription& offered) {
  if (section.kind() == sdp::Media::Kind::kVideo) {
    switch (offered.codec) {
      case Codec::kH264:
        return offered.h264 && offered.h264->packetization_mode == 1 ? 0 : 1;
      case Codec::kVP8:
        return 2;
      case Codec::kVP9:
        return 3;
      case Codec::kAV1:
        return 4;
      case Codec::kH265:
        return 5;
      default:
        return std::nullopt;
    }
  }
  switch (offered.codec) {
    case Codec::kOpus:
      return 0;
    case Codec::kPCMU:
      return 1;
    case Codec::kPCMA:
      return 2;
    default:
      return std::nullopt;
  }
}

rtp::KeyframeCodec KeyframeCodecOf(Codec codec) {
  switch (codec) {
    case Codec::kH264:
      return rtp::KeyframeCodec::kH264;
    case Codec::kH265:
      return rtp::KeyframeCodec::kH265;
    default:
      return rtp::KeyframeCodec::kNone;
  }
}

// The section's RTX payload type for `payload_type` (a=rtpmap:N rtx/..., a=fmtp:N apt=PT).
int RtxPayloadTypeFor(const sdp::Media& section, int payload_type) {
  for (const sdp::RtpMap& map : section.RtpMaps()) {
    if (!core::EqualsIgnoreCase(map.encoding, "rtx")) continue;
    std::optional<sdp::Fmtp> fmtp = section.Fmtp(map.payload_type);
    if (!fmtp) continue;
    std::optional<std::string_view> apt = fmtp->Get("apt");
    if (apt && *apt == std::to_string(payload_type)) return map.payload_type;
  }
  return -1;
}

// The media and RTX SSRCs the section announces: a=ssrc-group:FID MEDIA RTX (RFC 5576 §4.2,
// RFC 4588 §8.3), else its first a=ssrc.
void ReadSsrcs(const sdp::Media& section, IncomingTrack& track) {
  for (std::string_view group : section.FindAll("ssrc-group")) {
    if (!group.starts_with("FID ")) continue;
    uint32_t ssrcs[2] = {0, 0};
    size_t count = 0;
    std::string_view rest = group.substr(4);
    while (!rest.empty() && count < 2) {
      size_t end = rest.find(' ');
      std::string_view item = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      uint32_t value = 0;
      auto [end_of_number, error] = std::from_chars(item.data(), item.data() + item.size(), value);
      if (error != std::errc() || end_of_number != item.data() + item.size() || item.empty()) break;
      ssrcs[count++] = value;
    }
    if (count == 2) {
      track.ssrc = ssrcs[0];
      track.rtx_ssrc = ssrcs[1];
      return;
    }
  }
  std::vector<sdp::SsrcLine> lines = section.Ssrcs();
  if (!lines.empty()) track.ssrc = lines.front().ssrc;
}

// The id the section gives the transport-wide sequence number extension, 0 when none.
uint8_t TransportSequenceId(const sdp::Media& section) {
  for (const sdp::Extmap& extmap : section.Extmaps()) {
    if (extmap.uri == rtp::kTransportSequenceUri && extmap.id >= 1 && extmap.id <= 255 &&
        (extmap.direction.empty() || extmap.direction == "sendrecv" ||
         extmap.direction == "sendonly")) {
      return static_cast<uint8_t>(extmap.id);
    }
  }
  return 0;
}

bool Offers(const sdp::TrackDescription& offered, std::string_view feedback) {
  for (const std::string& fb : offered.rtcp_fb) {
    if (fb == feedback) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<PublishAnswer> AnswerPublishOffer(std::string_view offer_sdp,
                                                 const LocalDescription& local,
                                                 const PublishAnswerOptions& options) {
  absl::StatusOr<sdp::Session> parsed = sdp::ParseSdp(offer_sdp);
  if (!parsed.ok()) {
    return Invalid(StrCat("not a valid SDP: ", core::ToStd(parsed.status().message())));
  }
  const sdp::Session& offer = *parsed;
  PublishAnswer answer;
  ASSIGN_OR_RETURN(answer.remote, answer_parts::ReadRemoteTransport(offer));

  std::optional<std::vector<std::string>> bundle = answer_parts::BundleGroup(offer);
  sdp::Session out = answer_parts::AnswerSession(local);
  std::vector<std::string> bundled_mids;
  std::vector<std::string> offer_summaries;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const sdp::Media& section = offer.media[i];
    std::optional<std::string> why =
        answer_parts::Unusable(offer, section, bundle, /*we_send=*/false);
    if (!why && !bundle && !answer.tracks.empty()) {
      why = "the offer has no BUNDLE group and ringcast answers one section per session";
    }
    if (!why && answer.tracks.size() >= options.max_tracks) {
      why = StrCat("more than ", options.max_tracks, " media sections");
    }
    std::optional<sdp::TrackDescription> chosen;
    if (!why) {
      offer_summaries.push_back(answer_parts::OfferSummary(section));
      int best = 0;
      for (sdp::TrackDescription& offered : sdp::DescribeTracks(section)) {
        std::optional<int> preference = Preference(section, offered);
        if (preference && (!chosen || *preference < best)) {  // ties: the offer's order
          best = *preference;
          chosen = std::move(offered);
        }
      }
      if (!chosen) why = StrCat("no codec ringcast takes (", offer_summaries.back(), ")");
    }
    if (why) {
      answer.skipped.push_back(StrCat("offer m= section ", i, " (", section.type, "): ", *why));
      out.media.push_back(answer_parts::RejectedSection(section));
      continue;
    }

    IncomingTrack track;
    track.mline_index = i;
    track.mid = std::string(section.Mid().value_or(""));
    track.info.media = section.type;
    track.info.encoding_name = chosen->encoding_name;
    track.info.payload_type = chosen->payload_type;
    track.info.clock_rate = chosen->clock_rate;
    track.info.channels = section.kind() == sdp::Media::Kind::kAudio ? chosen->channels : 0;
    track.info.fmtp = chosen->fmtp;
    track.info.keyframe_codec = KeyframeCodecOf(chosen->codec);
    if (section.kind() == sdp::Media::Kind::kVideo) {
      track.rtx_payload_type = RtxPayloadTypeFor(section, chosen->payload_type);
    }
    ReadSsrcs(section, track);
    if (track.rtx_payload_type < 0) track.rtx_ssrc = 0;

    // The transport-wide sequence number: one id for the whole BUNDLE (RFC 8843 §9.2), the first
    // section's; a section that names another id goes without.
    uint8_t twcc_id = options.transport_cc ? TransportSequenceId(section) : 0;
    if (twcc_id != 0 && answer.transport_cc_id == 0) answer.transport_cc_id = twcc_id;
    const bool transport_cc =
        twcc_id != 0 && twcc_id == answer.transport_cc_id && Offers(*chosen, "transport-cc");

    std::vector<std::string> formats = {std::to_string(chosen->payload_type)};
    if (track.rtx_payload_type >= 0) formats.push_back(std::to_string(track.rtx_payload_type));
    sdp::Media m =
        answer_parts::AcceptedSectionStart(section, std::move(formats), local, answer.remote.setup);
    auto add = [&m](std::string_view name, std::string value) {
      m.attributes.push_back({std::string(name), std::move(value)});
    };
    if (transport_cc) add("extmap", StrCat(twcc_id, " ", rtp::kTransportSequenceUri));
    add("recvonly", "");
    add("rtcp-mux", "");
    if (section.Has("rtcp-rsize")) add("rtcp-rsize", "");
    std::string rtpmap =
        StrCat(chosen->payload_type, " ", chosen->encoding_name, "/", chosen->clock_rate);
    if (chosen->channels > 1) StrAppend(rtpmap, "/", chosen->channels);
    add("rtpmap", std::move(rtpmap));
    if (!chosen->fmtp.empty()) add("fmtp", StrCat(chosen->payload_type, " ", chosen->fmtp));
    // The feedback ringcast sends, as far as the offer allows it (RFC 4585 §4.2).
    track.nack = options.nack && Offers(*chosen, "nack");
    track.pli = Offers(*chosen, "nack pli");
    track.fir = Offers(*chosen, "ccm fir");
    if (transport_cc) add("rtcp-fb", StrCat(chosen->payload_type, " transport-cc"));
    if (track.nack) add("rtcp-fb", StrCat(chosen->payload_type, " nack"));
    if (track.pli) add("rtcp-fb", StrCat(chosen->payload_type, " nack pli"));
    if (track.fir) add("rtcp-fb", StrCat(chosen->payload_type, " ccm fir"));
    if (track.rtx_payload_type >= 0) {
      add("rtpmap", StrCat(track.rtx_payload_type, " rtx/", chosen->clock_rate));
      add("fmtp", StrCat(track.rtx_payload_type, " apt=", chosen->payload_type));
    }
    answer_parts::AddCandidates(m, local);
    out.media.push_back(std::move(m));
    if (!track.mid.empty()) bundled_mids.push_back(track.mid);
    answer.tracks.push_back(std::move(track));
  }
  if (answer.tracks.empty()) {
    if (offer_summaries.empty()) {
      return Invalid(
          "no audio or video section ringcast can receive on (sendonly or sendrecv, "
          "UDP/TLS/RTP/SAVPF, rtcp-mux)");
    }
    return Invalid(
        StrCat("no section with a codec ringcast takes (H264, VP8, VP9, AV1, H265; "
               "opus, PCMU, PCMA): offer ",
               answer_parts::Join(offer_summaries, "; offer ")));
  }
  if (answer.transport_cc_id != 0) {
    bool used = false;
    for (const sdp::Media& m : out.media) used = used || m.Has("extmap");
    if (!used) answer.transport_cc_id = 0;
  }
  if (bundle && !bundled_mids.empty()) {
    out.attributes.push_back({"group", StrCat("BUNDLE ", answer_parts::Join(bundled_mids, " "))});
  }
  out.attributes.push_back({"ice-lite", ""});
  answer.sdp = sdp::WriteSdp(out);
  return answer;
}

}  // namespace ringcast::net::webrtc
