#include "net/webrtc/answer.h"

#include <algorithm>
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

namespace ringcast::net::webrtc {
namespace {

using answer_parts::Invalid;
using answer_parts::Join;
using answer_parts::OfferSummary;

using core::StrAppend;
using core::StrCat;
using sdp::Codec;
using sdp::H264ProfileLevelId;

// --- H.264 profiles --------------------------------------------------------------------------

// The profiles libwebrtc tells apart (api/video_codecs/h264_profile_level_id.cc), from
// profile_idc and a pattern over the constraint_set flags byte ('x' = either).
enum class H264Profile { kConstrainedBaseline, kBaseline, kMain, kConstrainedHigh, kHigh, kOther };

H264Profile ClassifyH264(const H264ProfileLevelId& id) {
  struct Pattern {
    uint8_t profile_idc;
    const char* flags;
    H264Profile profile;
  };
  static constexpr Pattern kPatterns[] = {
      {0x42, "x1xx0000", H264Profile::kConstrainedBaseline},
      {0x4D, "1xxx0000", H264Profile::kConstrainedBaseline},
      {0x58, "11xx0000", H264Profile::kConstrainedBaseline},
      {0x42, "x0xx0000", H264Profile::kBaseline},
      {0x58, "10xx0000", H264Profile::kBaseline},
      {0x4D, "0x0x0000", H264Profile::kMain},
      {0x64, "00000000", H264Profile::kHigh},
      {0x64, "00001100", H264Profile::kConstrainedHigh},
  };
  for (const Pattern& p : kPatterns) {
    if (p.profile_idc != id.profile_idc) continue;
    bool match = true;
    for (int bit = 0; bit < 8 && match; ++bit) {
      bool set = (id.profile_iop >> (7 - bit)) & 1;
      match = p.flags[bit] == 'x' || (p.flags[bit] == '1') == set;
    }
    if (match) return p.profile;
  }
  return H264Profile::kOther;
}

// 2: the same profile; 1: High on a Constrained High payload type or the reverse (browsers
// offer only one of the two and decode both); -1: not to be relabelled (ARCHITECTURE.md, "H.264
// profiles").
int H264ProfileScore(const H264ProfileLevelId& source, const H264ProfileLevelId& offer) {
  H264Profile s = ClassifyH264(source), o = ClassifyH264(offer);
  if (s == H264Profile::kOther || o == H264Profile::kOther) {
    bool same = source.profile_idc == offer.profile_idc && source.profile_iop == offer.profile_iop;
    return same ? 2 : -1;
  }
  if (s == o) return 2;
  auto high = [](H264Profile p) {
    return p == H264Profile::kHigh || p == H264Profile::kConstrainedHigh;
  };
  return high(s) && high(o) ? 1 : -1;
}

// --- The source's codec ----------------------------------------------------------------------

struct SourceCodec {
  sdp::TrackDescription desc;  // from the source's rtpmap and fmtp
  std::optional<H264ProfileLevelId> h264;
  std::optional<int> h265_profile;
};

// H.265 general_profile_idc: after the 2-byte NAL header and the vps id / max_sub_layers /
// temporal_id_nesting byte comes profile_space(2) tier(1) profile_idc(5) (H.265 §7.3.2.2).
std::optional<int> H265ProfileFromSps(std::span<const uint8_t> sps) {
  if (sps.size() < 4) return std::nullopt;
  return sps[3] & 0x1F;
}

absl::StatusOr<SourceCodec> DescribeSource(const SourceTrack& track) {
  const rtp::TrackInfo& info = track.info;
  sdp::Media media;
  media.type = info.media;
  media.formats = {std::to_string(info.payload_type)};
  if (!info.encoding_name.empty()) {
    std::string rtpmap = StrCat(info.payload_type, " ", info.encoding_name, "/", info.clock_rate);
    if (info.channels > 1) StrAppend(rtpmap, "/", info.channels);
    media.attributes.push_back({"rtpmap", std::move(rtpmap)});
  }
  if (!info.fmtp.empty()) {
    media.attributes.push_back({"fmtp", StrCat(info.payload_type, " ", info.fmtp)});
  }
  ASSIGN_OR_RETURN(sdp::TrackDescription desc, sdp::DescribeTrack(media, info.payload_type));
  SourceCodec source{std::move(desc), std::nullopt, std::nullopt};
  if (source.desc.h264) {  // RFC 6184: the SPS is the truth; fmtp, then sprop, stand in for it
    const sdp::H264Params& p = *source.desc.h264;
    if (!track.sps.empty()) source.h264 = sdp::H264ProfileLevelIdFromSps(track.sps);
    if (!source.h264) source.h264 = p.profile_level_id;
    if (!source.h264 && !p.sps.empty()) source.h264 = sdp::H264ProfileLevelIdFromSps(p.sps.front());
  }
  if (source.desc.h265) {
    const sdp::H265Params& p = *source.desc.h265;
    if (!track.sps.empty()) source.h265_profile = H265ProfileFromSps(track.sps);
    if (!source.h265_profile) source.h265_profile = p.profile_id;
    if (!source.h265_profile && !p.sps.empty()) source.h265_profile = H265ProfileFromSps(p.sps[0]);
  }
  return source;
}

std::string SourceSummary(const SourceTrack& track, const absl::StatusOr<SourceCodec>& codec) {
  std::string name = track.info.encoding_name.empty() ? StrCat("PT ", track.info.payload_type)
                                                      : track.info.encoding_name;
  if (codec.ok() && codec->h264)
    StrAppend(name, " (profile ", answer_parts::H264Hex(*codec->h264), ")");
  return StrCat(name, " ", track.info.media);
}

// --- Payload type choice ---------------------------------------------------------------------

int H264Score(const SourceCodec& source, const sdp::TrackDescription& offered) {
  int source_mode = source.desc.h264 ? source.desc.h264->packetization_mode : 0;
  int offer_mode = offered.h264 ? offered.h264->packetization_mode : 0;
  // RFC 6184 §6.2: mode 0 (single NAL units) fits every mode; FU-A needs mode 1.
  if (source_mode != 0 && offer_mode != source_mode) return -1;
  int mode_score = offer_mode == source_mode ? 1 : 0;
  if (!source.h264) return mode_score;  // profile unknown: take the browser's order
  // RFC 6184 §8.1: an absent profile-level-id means 420010 (Baseline, level 1.0).
  H264ProfileLevelId offer_id{0x42, 0x00, 0x10};
  if (offered.h264 && offered.h264->profile_level_id) offer_id = *offered.h264->profile_level_id;
  int profile_score = H264ProfileScore(*source.h264, offer_id);
  if (profile_score < 0) return -1;
  bool asymmetry = offered.h264 && offered.h264->level_asymmetry_allowed;
  if (!asymmetry && offer_id.level_idc < source.h264->level_idc) return -1;
  return profile_score * 2 + mode_score;
}

// How well `offered` carries the source: -1 not at all, higher is better.
int MatchScore(const SourceCodec& source, const sdp::TrackDescription& offered) {
  const sdp::TrackDescription& s = source.desc;
  if (offered.codec != s.codec || offered.clock_rate != s.clock_rate) return -1;
  switch (s.codec) {
    case Codec::kH264:
      return H264Score(source, offered);
    case Codec::kH265: {
      std::optional<int> profile = offered.h265 ? offered.h265->profile_id : std::nullopt;
      return source.h265_profile && profile && *profile != *source.h265_profile ? -1 : 0;
    }
    case Codec::kVP9: {  // RFC 9628 §6: profile-id 0 when absent
      int a = s.vp9 ? s.vp9->profile_id.value_or(0) : 0;
      int b = offered.vp9 ? offered.vp9->profile_id.value_or(0) : 0;
      return a == b ? 0 : -1;
    }
    case Codec::kAV1: {  // AV1 RTP spec §7.2: profile 0 when absent
      int a = s.av1 ? s.av1->profile.value_or(0) : 0;
      int b = offered.av1 ? offered.av1->profile.value_or(0) : 0;
      return a == b ? 0 : -1;
    }
    case Codec::kOpus:  // RFC 7587 §7: always opus/48000/2
      return offered.channels == 2 ? 0 : -1;
    case Codec::kAAC:  // no browser takes RTP AAC
      return -1;
    default:  // VP8, PCMU, PCMA
      return 0;
  }
}

std::optional<sdp::TrackDescription> PickPayloadType(const sdp::Media& section,
                                                     const SourceCodec& source) {
  std::optional<sdp::TrackDescription> best;
  int best_score = -1;
  for (sdp::TrackDescription& offered : sdp::DescribeTracks(section)) {
    int score = MatchScore(source, offered);
    if (score > best_score) {  // ties: the browser's order
      best_score = score;
      best = std::move(offered);
    }
  }
  return best;
}

// --- The answer section ---------------------------------------------------------------------

sdp::Media AcceptedSection(const sdp::Media& offered, const sdp::TrackDescription& pt,
                           const SourceTrack& track, size_t track_index, AnswerSetup setup,
                           const LocalDescription& local, AnsweredTrack& answered) {
  sdp::Media m =
      answer_parts::AcceptedSectionStart(offered, {std::to_string(pt.payload_type)}, local, setup);
  auto add = [&m](std::string_view name, std::string value) {
    m.attributes.push_back({std::string(name), std::move(value)});
  };
  add("sendonly", "");
  std::string track_id = StrCat(track.info.media, track_index);
  add("msid", StrCat(local.stream_id, " ", track_id));
  add("rtcp-mux", "");
  if (offered.Has("rtcp-rsize")) add("rtcp-rsize", "");
  std::string rtpmap = StrCat(pt.payload_type, " ", pt.encoding_name, "/", pt.clock_rate);
  if (pt.channels > 1) StrAppend(rtpmap, "/", pt.channels);
  add("rtpmap", std::move(rtpmap));
  if (!pt.fmtp.empty()) add("fmtp", StrCat(pt.payload_type, " ", pt.fmtp));
  // Only the feedback we act on: NACK (RFC 4585), PLI, FIR (RFC 5104).
  for (const std::string& fb : pt.rtcp_fb) {
    bool* flag = fb == "nack"       ? &answered.nack
                 : fb == "nack pli" ? &answered.pli
                 : fb == "ccm fir"  ? &answered.fir
                                    : nullptr;
    if (flag == nullptr || *flag) continue;
    *flag = true;
    add("rtcp-fb", StrCat(pt.payload_type, " ", fb));
  }
  add("ssrc", StrCat(track.ssrc, " cname:", local.cname));
  add("ssrc", StrCat(track.ssrc, " msid:", local.stream_id, " ", track_id));
  answer_parts::AddCandidates(m, local);
  return m;
}

}  // namespace

absl::StatusOr<Answer> AnswerOffer(std::string_view offer_sdp, std::span<const SourceTrack> tracks,
                                   const LocalDescription& local) {
  absl::StatusOr<sdp::Session> parsed = sdp::ParseSdp(offer_sdp);
  if (!parsed.ok()) {
    return Invalid(StrCat("not a valid SDP: ", core::ToStd(parsed.status().message())));
  }
  const sdp::Session& offer = *parsed;

  Answer answer;
  ASSIGN_OR_RETURN(answer.remote, answer_parts::ReadRemoteTransport(offer));

  std::optional<std::vector<std::string>> bundle = answer_parts::BundleGroup(offer);
  std::vector<absl::StatusOr<SourceCodec>> sources;
  for (const SourceTrack& track : tracks) sources.push_back(DescribeSource(track));

  // Assign tracks to sections in m= order: the first unused track of the section's kind that
  // one of its payload types can carry.
  struct Assignment {
    size_t track;
    sdp::TrackDescription pt;
  };
  std::vector<std::optional<Assignment>> assigned(offer.media.size());
  std::vector<bool> used(tracks.size(), false);
  std::vector<std::string> offer_summaries;
  std::vector<std::string> usable_kinds;
  size_t answered_sections = 0;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const sdp::Media& section = offer.media[i];
    std::optional<std::string> why =
        answer_parts::Unusable(offer, section, bundle, /*we_send=*/true);
    if (!why && !bundle && answered_sections > 0) {
      why = "the offer has no BUNDLE group and ringcast answers one section per session";
    }
    if (why) {
      answer.skipped.push_back(StrCat("offer m= section ", i, " (", section.type, "): ", *why));
      continue;
    }
    offer_summaries.push_back(OfferSummary(section));
    usable_kinds.push_back(section.type);
    for (size_t t = 0; t < tracks.size() && !assigned[i]; ++t) {
      if (used[t] || !sources[t].ok() || tracks[t].info.media != section.type) continue;
      if (std::optional<sdp::TrackDescription> pt = PickPayloadType(section, *sources[t])) {
        assigned[i] = Assignment{t, std::move(*pt)};
        used[t] = true;
        ++answered_sections;
      }
    }
    if (!assigned[i]) {
      answer.skipped.push_back(
          StrCat("offer m= section ", i, " (", section.type, "): no track for it, rejected"));
    }
  }
  if (offer_summaries.empty()) {
    return Invalid(
        "no audio or video section ringcast can send on (recvonly or sendrecv, "
        "UDP/TLS/RTP/SAVPF, rtcp-mux)");
  }

  std::vector<std::string> source_summaries;
  for (size_t t = 0; t < tracks.size(); ++t) {
    std::string summary = SourceSummary(tracks[t], sources[t]);
    source_summaries.push_back(summary);
    if (used[t]) continue;
    std::string why;
    if (!sources[t].ok() && !absl::IsUnimplemented(sources[t].status())) {
      why = core::ToStd(sources[t].status().message());
    } else if (!sources[t].ok() || sources[t]->desc.codec == Codec::kAAC) {
      why = "no browser codec";
    } else if (std::find(usable_kinds.begin(), usable_kinds.end(), tracks[t].info.media) ==
               usable_kinds.end()) {
      why = StrCat("no usable ", tracks[t].info.media, " section in the offer");
    } else {
      why = "no matching codec in the offer";
    }
    answer.skipped.push_back(StrCat("track ", t, " (", summary, "): ", why, ", left out"));
  }
  if (answered_sections == 0) {
    return Invalid(StrCat("offer has no codec for this path's tracks: source has ",
                          source_summaries.empty() ? "no tracks" : Join(source_summaries, ", "),
                          "; offer ", Join(offer_summaries, "; offer ")));
  }

  sdp::Session out = answer_parts::AnswerSession(local);
  std::vector<std::string> bundled_mids;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const sdp::Media& section = offer.media[i];
    if (!assigned[i]) {
      out.media.push_back(answer_parts::RejectedSection(section));
      continue;
    }
    const Assignment& a = *assigned[i];
    const SourceTrack& track = tracks[a.track];
    AnsweredTrack answered{
        a.track,         i,         std::string(section.Mid().value_or("")), a.pt.payload_type,
        a.pt.clock_rate, track.ssrc};
    out.media.push_back(
        AcceptedSection(section, a.pt, track, a.track, answer.remote.setup, local, answered));
    if (!answered.mid.empty()) bundled_mids.push_back(answered.mid);
    answer.tracks.push_back(std::move(answered));
  }
  if (bundle && !bundled_mids.empty()) {
    out.attributes.push_back({"group", StrCat("BUNDLE ", Join(bundled_mids, " "))});
  }
  out.attributes.push_back({"ice-lite", ""});
  answer.sdp = sdp::WriteSdp(out);
  return answer;
}

}  // namespace ringcast::net::webrtc
