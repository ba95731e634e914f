#include "net/webrtc/answer_parts.h"

#include <algorithm>
#include <utility>

#include "core/strings.h"
#include "net/sdp/codec_params.h"

namespace ringcast::net::webrtc::answer_parts {
namespace {

using core::StrAppend;
using core::StrCat;

// RFC 8839 §5.4: ufrag 4..256, pwd 22..256 ice-chars (ALPHA / DIGIT / "+" / "/").
bool ValidIceString(std::string_view s, size_t min_length) {
  if (s.size() < min_length || s.size() > 256) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// An ICE/DTLS attribute of `section`, else of the session (Firefox puts them there).
std::optional<std::string_view> TransportAttribute(const sdp::Session& offer,
                                                   const sdp::Media* section,
                                                   std::string_view name) {
  if (section != nullptr) {
    if (std::optional<std::string_view> v = section->Find(name)) return v;
  }
  return offer.Find(name);
}

// RFC 8445 §5.1.2.1: (2^24)·type preference (126: host) + (2^8)·local preference + (256 − 1).
uint32_t HostPriority(size_t index) {
  uint32_t local_preference = 65535 - static_cast<uint32_t>(std::min<size_t>(index, 65535));
  return (126u << 24) | (local_preference << 8) | 255u;
}

// A stable o= session id per session (RFC 8866 §5.2 only asks for uniqueness): FNV-1a of our
// ufrag, kept below 2^62 as JSEP §5.2.1 suggests.
std::string SessionId(std::string_view ufrag) {
  uint64_t h = 14695981039346656037ull;
  for (char c : ufrag) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return std::to_string(h >> 2);
}

}  // namespace

absl::Status Invalid(std::string_view why) {
  return absl::InvalidArgumentError(StrCat("webrtc offer: ", why));
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) StrAppend(out, out.empty() ? "" : sep, p);
  return out;
}

absl::StatusOr<RemoteTransport> ReadRemoteTransport(const sdp::Session& offer) {
  // Media level (Chrome, Safari) or session level (Firefox). With BUNDLE all sections share
  // them (RFC 8843 §7.1.3), so the first live section's are used.
  const sdp::Media* first_live = nullptr;
  for (const sdp::Media& m : offer.media) {
    if (m.port != 0) {
      first_live = &m;
      break;
    }
  }
  std::optional<std::string_view> ufrag = TransportAttribute(offer, first_live, "ice-ufrag");
  std::optional<std::string_view> pwd = TransportAttribute(offer, first_live, "ice-pwd");
  if (!ufrag || !pwd) return Invalid("no ICE credentials (a=ice-ufrag and a=ice-pwd)");
  if (!ValidIceString(*ufrag, 4) || !ValidIceString(*pwd, 22)) {
    return Invalid("a=ice-ufrag or a=ice-pwd is not 4..256 / 22..256 ice-chars (RFC 8839)");
  }
  std::optional<sdp::Fingerprint> fingerprint =
      first_live != nullptr ? first_live->Fingerprint() : std::nullopt;
  if (!fingerprint) fingerprint = offer.Fingerprint();
  if (!fingerprint || fingerprint->value.empty()) {
    return Invalid("no DTLS fingerprint (a=fingerprint)");
  }
  std::optional<std::string_view> setup = TransportAttribute(offer, first_live, "setup");
  RemoteTransport remote;
  remote.ufrag = std::string(*ufrag);
  remote.pwd = std::string(*pwd);
  remote.fingerprint_hash = std::string(fingerprint->hash_function);
  remote.fingerprint = std::string(fingerprint->value);
  // RFC 5763 §5: the offerer's actpass or active (or nothing) makes us passive; only its passive
  // makes us the DTLS client.
  remote.setup = setup == "passive" ? AnswerSetup::kActive : AnswerSetup::kPassive;
  return remote;
}

std::optional<std::vector<std::string>> BundleGroup(const sdp::Session& offer) {
  for (std::string_view group : offer.FindAll("group")) {
    std::vector<std::string> mids;
    size_t start = 0;
    while (start <= group.size()) {
      size_t end = std::min(group.find(' ', start), group.size());
      if (end > start) mids.emplace_back(group.substr(start, end - start));
      start = end + 1;
    }
    if (!mids.empty() && mids.front() == "BUNDLE") {
      mids.erase(mids.begin());
      return mids;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Unusable(const sdp::Session& offer, const sdp::Media& section,
                                    const std::optional<std::vector<std::string>>& bundle,
                                    bool we_send) {
  sdp::Media::Kind kind = section.kind();
  if (kind != sdp::Media::Kind::kAudio && kind != sdp::Media::Kind::kVideo) {
    return StrCat(section.type, " sections are not supported");
  }
  if (section.port == 0) return std::string("rejected by the offerer (port 0)");
  if (section.proto.find("SAVPF") == std::string::npos) {
    return StrCat("transport ", section.proto, " is not DTLS-SRTP (UDP/TLS/RTP/SAVPF)");
  }
  sdp::MediaDirection direction = offer.DirectionOf(section);
  sdp::MediaDirection wanted =
      we_send ? sdp::MediaDirection::kRecvOnly : sdp::MediaDirection::kSendOnly;
  if (direction != wanted && direction != sdp::MediaDirection::kSendRecv) {
    return StrCat("direction ", sdp::MediaDirectionName(direction), ", nothing to ",
                  we_send ? "receive" : "send");
  }
  if (!section.RtcpMux()) return std::string("no a=rtcp-mux (ringcast multiplexes RTCP)");
  if (bundle) {
    std::optional<std::string_view> mid = section.Mid();
    if (!mid || std::find(bundle->begin(), bundle->end(), *mid) == bundle->end()) {
      return std::string("not in the offer's BUNDLE group");
    }
  }
  return std::nullopt;
}

sdp::Media AcceptedSectionStart(const sdp::Media& offered, std::vector<std::string> formats,
                                const LocalDescription& local, AnswerSetup setup) {
  sdp::Media m;
  m.type = offered.type;
  m.port = 9;               // RFC 8840 §4.1.1: the real address is in the candidates
  m.proto = offered.proto;  // JSEP §5.3.1: the offer's proto, exactly
  m.formats = std::move(formats);
  m.connections = {{"IN", "IP4", "0.0.0.0"}};
  auto add = [&m](std::string_view name, std::string value) {
    m.attributes.push_back({std::string(name), std::move(value)});
  };
  add("rtcp", "9 IN IP4 0.0.0.0");
  add("ice-ufrag", local.ice.ufrag);
  add("ice-pwd", local.ice.pwd);
  add("fingerprint", StrCat("sha-256 ", local.fingerprint_sha256));
  add("setup", setup == AnswerSetup::kActive ? "active" : "passive");
  if (std::optional<std::string_view> mid = offered.Mid()) add("mid", std::string(*mid));
  return m;
}

void AddCandidates(sdp::Media& m, const LocalDescription& local) {
  for (size_t i = 0; i < local.candidates.size(); ++i) {
    const LocalCandidate& c = local.candidates[i];
    size_t foundation = i;  // RFC 8445 §5.1.1.3: one foundation per base address
    for (size_t j = 0; j < i; ++j) {
      if (local.candidates[j].address == c.address) {
        foundation = j;
        break;
      }
    }
    m.attributes.push_back({"candidate", StrCat(foundation + 1, " 1 udp ", HostPriority(i), " ",
                                                c.address, " ", c.port, " typ host")});
  }
  m.attributes.push_back({"end-of-candidates", ""});
}

sdp::Media RejectedSection(const sdp::Media& offered) {
  sdp::Media m;
  m.type = offered.type;
  m.port = 0;
  m.proto = offered.proto;
  if (!offered.formats.empty()) m.formats = {offered.formats.front()};
  m.connections = {{"IN", "IP4", "0.0.0.0"}};
  if (std::optional<std::string_view> mid = offered.Mid()) {
    m.attributes.push_back({"mid", std::string(*mid)});
  }
  return m;
}

sdp::Session AnswerSession(const LocalDescription& local) {
  sdp::Session out;
  out.origin = sdp::Origin{"-", SessionId(local.ice.ufrag), "1", "IN", "IP4", "0.0.0.0"};
  out.name = "-";
  out.timings.emplace_back();
  return out;
}

std::string H264Hex(const sdp::H264ProfileLevelId& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : {id.profile_idc, id.profile_iop, id.level_idc}) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string OfferSummary(const sdp::Media& section) {
  std::vector<std::string> names;
  std::vector<std::string> h264_profiles;
  for (const sdp::TrackDescription& offered : sdp::DescribeTracks(section)) {
    if (offered.codec == sdp::Codec::kH264 && offered.h264 && offered.h264->profile_level_id) {
      std::string hex = H264Hex(*offered.h264->profile_level_id);
      if (std::find(h264_profiles.begin(), h264_profiles.end(), hex) == h264_profiles.end()) {
        h264_profiles.push_back(std::move(hex));
      }
    }
    std::string name(sdp::CodecName(offered.codec));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  for (std::string& name : names) {
    if (name == sdp::CodecName(sdp::Codec::kH264) && !h264_profiles.empty()) {
      StrAppend(name, " (", Join(h264_profiles, ", "), ")");
    }
  }
  if (names.empty()) return StrCat(section.type, " has no codec ringcast takes");
  return StrCat(section.type, " has ", Join(names, ", "));
}

}  // namespace ringcast::net::webrtc::answer_parts
