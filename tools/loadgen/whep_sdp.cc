#include "tools/loadgen/whep_sdp.h"

#include <openssl/rand.h>

#include <charconv>
#include <vector>

#include "core/strings.h"
#include "net/sdp/parser.h"

namespace ringcast::loadgen {
namespace {

using core::StrCat;

struct OfferedCodec {
  int payload_type;
  const char* profile_level_id;
};
constexpr OfferedCodec kOfferedH264[] = {
    {102, "42e01f"}, {108, "42001f"}, {112, "4d001f"}, {123, "640032"}};

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    if (space != 0) out.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string RandomIceString(size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out(length, 'a');
  std::vector<uint8_t> random(length);
  RAND_bytes(random.data(), random.size());
  for (size_t i = 0; i < length; ++i) out[i] = kAlphabet[random[i] % 64];
  return out;
}

std::string BuildOffer(const OfferParams& p) {
  std::string pts;
  for (const OfferedCodec& c : kOfferedH264) core::StrAppend(pts, " ", c.payload_type);
  std::string sdp = StrCat("v=0\r\no=- ", p.session_id,
                           " 2 IN IP4 127.0.0.1\r\n"
                           "s=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n"
                           "m=video 9 UDP/TLS/RTP/SAVPF",
                           pts,
                           "\r\n"
                           "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
  core::StrAppend(sdp, "a=ice-ufrag:", p.ice_ufrag, "\r\na=ice-pwd:", p.ice_pwd,
                  "\r\na=fingerprint:sha-256 ", p.fingerprint,
                  "\r\na=setup:active\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n");
  for (const OfferedCodec& c : kOfferedH264) {
    core::StrAppend(sdp, "a=rtpmap:", c.payload_type, " H264/90000\r\n");
    core::StrAppend(sdp, "a=rtcp-fb:", c.payload_type, " nack\r\n");
    core::StrAppend(sdp, "a=rtcp-fb:", c.payload_type, " nack pli\r\n");
    core::StrAppend(sdp, "a=fmtp:", c.payload_type,
                    " level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=",
                    c.profile_level_id, "\r\n");
  }
  return sdp;
}

absl::StatusOr<std::string> BuildJanusAnswer(std::string_view offer, const OfferParams& p,
                                             const std::string& ip, uint16_t port) {
  absl::StatusOr<net::sdp::Session> parsed = net::sdp::ParseSdp(offer);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        StrCat("janus offer: ", core::ToStd(parsed.status().message())));
  }
  std::string sections;
  std::string accepted_mid;
  for (const net::sdp::Media& m : parsed->media) {
    const std::string mid(m.Mid().value_or(""));
    std::optional<net::sdp::RtpMap> h264;
    if (accepted_mid.empty() && m.kind() == net::sdp::Media::Kind::kVideo && m.port != 0) {
      for (const net::sdp::RtpMap& map : m.RtpMaps()) {
        if (map.encoding == "H264" || map.encoding == "h264") {
          h264 = map;
          break;
        }
      }
    }
    if (!h264) {
      const std::string fmt = m.formats.empty() ? "0" : m.formats.front();
      core::StrAppend(sections, "m=", m.type, " 0 ", m.proto, " ", fmt, "\r\n");
      if (!mid.empty()) core::StrAppend(sections, "a=mid:", mid, "\r\n");
      core::StrAppend(sections, "a=inactive\r\n");
      continue;
    }
    accepted_mid = mid.empty() ? "0" : mid;
    const int pt = h264->payload_type;
    core::StrAppend(sections, "m=video 9 ", m.proto, " ", pt, "\r\nc=IN IP4 ", ip,
                    "\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:", p.ice_ufrag,
                    "\r\na=ice-pwd:", p.ice_pwd, "\r\na=fingerprint:sha-256 ", p.fingerprint,
                    "\r\na=setup:active\r\na=mid:", accepted_mid,
                    "\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:", pt, " H264/90000\r\n");
    if (std::optional<net::sdp::Fmtp> fmtp = m.Fmtp(pt)) {
      core::StrAppend(sections, "a=fmtp:", pt, " ", fmtp->raw, "\r\n");
    }
    core::StrAppend(sections, "a=rtcp-fb:", pt, " nack\r\na=rtcp-fb:", pt,
                    " nack pli\r\na=candidate:1 1 udp 2130706431 ", ip, " ", port,
                    " typ host\r\na=end-of-candidates\r\n");
  }
  if (accepted_mid.empty()) return absl::InvalidArgumentError("janus offer: no H.264 video");
  return StrCat("v=0\r\no=- ", p.session_id, " 2 IN IP4 ", ip,
                "\r\ns=-\r\nt=0 0\r\na=group:BUNDLE ", accepted_mid, "\r\na=msid-semantic: WMS\r\n",
                sections);
}

absl::StatusOr<WhepAnswer> ParseAnswer(std::string_view text) {
  absl::StatusOr<net::sdp::Session> parsed = net::sdp::ParseSdp(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(StrCat("answer: ", core::ToStd(parsed.status().message())));
  }
  const net::sdp::Session& session = *parsed;
  const net::sdp::Media* video = nullptr;
  for (const net::sdp::Media& m : session.media) {
    if (m.kind() == net::sdp::Media::Kind::kVideo && m.port != 0) {
      video = &m;
      break;
    }
  }
  if (video == nullptr) return absl::InvalidArgumentError("answer: no accepted video section");
  WhepAnswer a;
  // ICE and DTLS attributes may sit at media or session level.
  auto find = [&](std::string_view name) -> std::optional<std::string_view> {
    if (auto v = video->Find(name)) return v;
    return session.Find(name);
  };
  const auto ufrag = find("ice-ufrag");
  const auto pwd = find("ice-pwd");
  if (!ufrag || !pwd) return absl::InvalidArgumentError("answer: no ice-ufrag/ice-pwd");
  a.ice_ufrag = std::string(*ufrag);
  a.ice_pwd = std::string(*pwd);
  std::optional<net::sdp::Fingerprint> fp = video->Fingerprint();
  if (!fp) fp = session.Fingerprint();
  if (!fp) return absl::InvalidArgumentError("answer: no a=fingerprint");
  a.fingerprint_hash = std::string(fp->hash_function);
  a.fingerprint = std::string(fp->value);
  a.setup = std::string(find("setup").value_or(""));
  if (!a.setup.empty() && a.setup != "passive" && a.setup != "actpass") {
    return absl::InvalidArgumentError(StrCat("answer: a=setup:", a.setup, " (we are active)"));
  }

  // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
  std::vector<std::string_view> candidates = video->FindAll("candidate");
  for (std::string_view c : session.FindAll("candidate")) candidates.push_back(c);
  for (std::string_view c : candidates) {
    const std::vector<std::string_view> f = Split(c);
    if (f.size() < 8 || f[1] != "1" || (f[2] != "udp" && f[2] != "UDP")) continue;
    if (f[4].find(':') != std::string_view::npos) continue;  // IPv6
    uint16_t port = 0;
    if (!ParseNumber(f[5], port) || port == 0) continue;
    a.candidate_ip = std::string(f[4]);
    a.candidate_port = port;
    break;
  }
  if (a.candidate_port == 0) {
    return absl::InvalidArgumentError("answer: no a=candidate with a UDP IPv4 address");
  }

  for (const net::sdp::RtpMap& map : video->RtpMaps()) {
    if (map.encoding != "H264" && map.encoding != "h264") continue;
    a.payload_type = map.payload_type;
    if (auto fmtp = video->Fmtp(map.payload_type)) {
      a.profile_level_id = std::string(fmtp->Get("profile-level-id").value_or(""));
    }
    break;
  }
  if (a.payload_type < 0) return absl::InvalidArgumentError("answer: no H.264 payload type");
  const std::vector<net::sdp::SsrcLine> ssrcs = video->Ssrcs();
  if (!ssrcs.empty()) a.ssrc = ssrcs.front().ssrc;
  return a;
}

}  // namespace ringcast::loadgen
