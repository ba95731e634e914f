#include "net/sdp/session.h"

#include "net/sdp/text.h"

namespace ringcast::net::sdp {

using text::NextToken;
using text::ParseUnsigned;
using text::SplitOnce;
using text::Trim;

std::string_view MediaDirectionName(MediaDirection direction) {
  switch (direction) {
    case MediaDirection::kSendRecv:
      return "sendrecv";
    case MediaDirection::kSendOnly:
      return "sendonly";
    case MediaDirection::kRecvOnly:
      return "recvonly";
    case MediaDirection::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

std::optional<std::string_view> Fmtp::Get(std::string_view key) const {
  for (const FmtpParameter& p : parameters) {
    if (text::EqualsIgnoreCase(p.key, key)) return p.value;
  }
  return std::nullopt;
}

// --- AttributeHolder ----------------------------------------------------------------------

std::optional<std::string_view> AttributeHolder::Find(std::string_view name) const {
  for (const Attribute& a : attributes) {
    if (a.name == name) return std::string_view(a.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> AttributeHolder::FindAll(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const Attribute& a : attributes) {
    if (a.name == name) values.emplace_back(a.value);
  }
  return values;
}

std::optional<MediaDirection> AttributeHolder::Direction() const {
  std::optional<MediaDirection> direction;
  for (const Attribute& a : attributes) {
    if (a.name == "sendrecv") direction = MediaDirection::kSendRecv;
    if (a.name == "sendonly") direction = MediaDirection::kSendOnly;
    if (a.name == "recvonly") direction = MediaDirection::kRecvOnly;
    if (a.name == "inactive") direction = MediaDirection::kInactive;
  }
  return direction;
}

std::optional<sdp::Fingerprint> AttributeHolder::Fingerprint() const {
  std::optional<std::string_view> value = Find("fingerprint");
  if (!value) return std::nullopt;
  std::string_view rest = *value;
  std::string_view hash = NextToken(rest);
  if (hash.empty() || rest.empty()) return std::nullopt;
  return sdp::Fingerprint{hash, rest};
}

std::vector<Extmap> AttributeHolder::Extmaps() const {
  std::vector<Extmap> extmaps;
  for (std::string_view value : FindAll("extmap")) {
    std::string_view rest = value;
    auto [id_text, direction] = SplitOnce(NextToken(rest), '/');
    std::optional<int> id = ParseUnsigned<int>(id_text);
    std::string_view uri = NextToken(rest);
    if (!id || uri.empty()) continue;
    extmaps.push_back(Extmap{*id, direction.value_or(std::string_view()), uri, rest});
  }
  return extmaps;
}

// --- Media --------------------------------------------------------------------------------

Media::Kind Media::kind() const {
  if (type == "video") return Kind::kVideo;
  if (type == "audio") return Kind::kAudio;
  if (type == "application") return Kind::kApplication;
  return Kind::kOther;
}

std::vector<int> Media::PayloadTypes() const {
  std::vector<int> types;
  for (const std::string& f : formats) {
    std::optional<int> pt = ParseUnsigned<int>(f);
    if (pt && *pt <= 127) types.push_back(*pt);
  }
  return types;
}

namespace {

std::optional<RtpMap> ParseRtpMap(std::string_view value) {
  std::string_view rest = value;
  std::optional<int> pt = ParseUnsigned<int>(NextToken(rest));
  if (!pt || *pt > 127) return std::nullopt;
  auto [encoding, after_encoding] = SplitOnce(Trim(rest), '/');
  if (encoding.empty() || !after_encoding) return std::nullopt;
  auto [clock_text, channels_text] = SplitOnce(*after_encoding, '/');
  std::optional<uint32_t> clock = ParseUnsigned<uint32_t>(clock_text);
  if (!clock) return std::nullopt;
  RtpMap map{*pt, encoding, *clock, 0};
  if (channels_text) {
    std::optional<int> channels = ParseUnsigned<int>(*channels_text);
    if (!channels) return std::nullopt;
    map.channels = *channels;
  }
  return map;
}

}  // namespace

sdp::Fmtp Fmtp::Parse(std::string_view value) {
  sdp::Fmtp fmtp;
  std::string_view rest = value;
  fmtp.format = NextToken(rest);
  fmtp.raw = rest;
  while (!rest.empty()) {
    auto [item, tail] = SplitOnce(rest, ';');
    rest = tail.value_or(std::string_view());
    item = Trim(item);
    if (item.empty()) continue;
    auto [key, param_value] = SplitOnce(item, '=');
    fmtp.parameters.push_back(FmtpParameter{Trim(key), Trim(param_value.value_or(""))});
  }
  return fmtp;
}

namespace {

bool FormatIs(std::string_view format, int payload_type) {
  std::optional<int> pt = ParseUnsigned<int>(format);
  return pt && *pt == payload_type;
}

}  // namespace

std::vector<RtpMap> Media::RtpMaps() const {
  std::vector<RtpMap> maps;
  for (std::string_view value : FindAll("rtpmap")) {
    if (std::optional<RtpMap> map = ParseRtpMap(value)) maps.push_back(*map);
  }
  return maps;
}

std::optional<RtpMap> Media::RtpMapFor(int payload_type) const {
  for (std::string_view value : FindAll("rtpmap")) {
    std::optional<RtpMap> map = ParseRtpMap(value);
    if (map && map->payload_type == payload_type) return map;
  }
  return std::nullopt;
}

std::optional<sdp::Fmtp> Media::Fmtp(int payload_type) const {
  for (std::string_view value : FindAll("fmtp")) {
    sdp::Fmtp fmtp = sdp::Fmtp::Parse(value);
    if (FormatIs(fmtp.format, payload_type)) return fmtp;
  }
  return std::nullopt;
}

std::optional<sdp::Fmtp> Media::Fmtp(std::string_view format) const {
  for (std::string_view value : FindAll("fmtp")) {
    sdp::Fmtp fmtp = sdp::Fmtp::Parse(value);
    if (fmtp.format == format) return fmtp;
  }
  return std::nullopt;
}

std::vector<RtcpFeedback> Media::RtcpFeedbacks() const {
  std::vector<RtcpFeedback> feedbacks;
  for (std::string_view value : FindAll("rtcp-fb")) {
    std::string_view rest = value;
    std::string_view format = NextToken(rest);
    std::string_view type = NextToken(rest);
    if (format.empty() || type.empty()) continue;
    feedbacks.push_back(RtcpFeedback{format, type, rest});
  }
  return feedbacks;
}

std::vector<RtcpFeedback> Media::RtcpFeedbackFor(int payload_type) const {
  std::vector<RtcpFeedback> feedbacks;
  for (const RtcpFeedback& fb : RtcpFeedbacks()) {
    if (fb.format == "*" || FormatIs(fb.format, payload_type)) feedbacks.push_back(fb);
  }
  return feedbacks;
}

std::vector<SsrcLine> Media::Ssrcs() const {
  std::vector<SsrcLine> lines;
  for (std::string_view value : FindAll("ssrc")) {
    std::string_view rest = value;
    std::optional<uint32_t> ssrc = ParseUnsigned<uint32_t>(NextToken(rest));
    if (!ssrc) continue;
    auto [attribute, attribute_value] = SplitOnce(rest, ':');
    lines.push_back(SsrcLine{*ssrc, attribute, attribute_value.value_or(std::string_view())});
  }
  return lines;
}

// --- Session ------------------------------------------------------------------------------

MediaDirection Session::DirectionOf(const Media& m) const {
  if (std::optional<MediaDirection> own = m.Direction()) return *own;
  return Direction().value_or(MediaDirection::kSendRecv);
}

}  // namespace ringcast::net::sdp
