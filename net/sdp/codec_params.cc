#include "net/sdp/codec_params.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "core/base64.h"
#include "core/status.h"
#include "core/strings.h"
#include "net/sdp/text.h"

namespace ringcast::net::sdp {
namespace {

using text::EqualsIgnoreCase;
using text::ParseUnsigned;
using text::SplitOnce;

struct CodecEntry {
  std::string_view name;  // RTP encoding name, compared case-insensitively
  Codec codec;
  bool audio;
};
constexpr CodecEntry kCodecs[] = {
    {"H264", Codec::kH264, false},        {"H265", Codec::kH265, false},
    {"VP8", Codec::kVP8, false},          {"VP9", Codec::kVP9, false},
    {"AV1", Codec::kAV1, false},          {"opus", Codec::kOpus, true},
    {"PCMU", Codec::kPCMU, true},         {"PCMA", Codec::kPCMA, true},
    {"MPEG4-GENERIC", Codec::kAAC, true},
};

const CodecEntry* FindCodec(std::string_view encoding) {
  for (const CodecEntry& entry : kCodecs) {
    if (EqualsIgnoreCase(entry.name, encoding)) return &entry;
  }
  return nullptr;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<uint8_t>> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexDigit(hex[i]);
    int lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

// Reads big-endian bit fields; past the end it reads zeros and sets `overrun`.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint32_t Read(int bits) {
    uint32_t value = 0;
    for (int i = 0; i < bits; ++i, ++pos_) {
      const size_t byte = pos_ / 8;
      if (byte >= bytes_.size()) {
        overrun_ = true;
        value <<= 1;
        continue;
      }
      value = (value << 1) | ((bytes_[byte] >> (7 - pos_ % 8)) & 1);
    }
    return value;
  }
  bool overrun() const { return overrun_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  bool overrun_ = false;
};

// ISO 14496-3 §1.6.2.1 AudioSpecificConfig: audioObjectType, samplingFrequencyIndex (or an
// explicit 24-bit frequency), channelConfiguration.
bool ParseAudioSpecificConfig(std::span<const uint8_t> config, AacParams& aac) {
  static constexpr uint32_t kRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                        22050, 16000, 12000, 11025, 8000,  7350};
  BitReader reader(config);
  uint32_t object_type = reader.Read(5);
  if (object_type == 31) object_type = 32 + reader.Read(6);
  const uint32_t index = reader.Read(4);
  uint32_t rate = 0;
  if (index == 15) {
    rate = reader.Read(24);
  } else if (index < std::size(kRates)) {
    rate = kRates[index];
  }
  const uint32_t channels = reader.Read(4);
  if (reader.overrun() || rate == 0) return false;
  aac.object_type = static_cast<int>(object_type);
  aac.sample_rate = rate;
  aac.channel_config = static_cast<int>(channels);
  return true;
}

absl::Status ParamError(const TrackDescription& track, std::string_view why) {
  return absl::InvalidArgumentError(core::StrCat("sdp: payload type ", track.payload_type, " (",
                                                 track.encoding_name, "): ", why));
}

// A small integer parameter; nullopt when absent, an error when present but not a number.
absl::StatusOr<std::optional<int>> IntParam(const TrackDescription& track, const Fmtp* fmtp,
                                            std::string_view key) {
  if (fmtp == nullptr) return std::optional<int>();
  std::optional<std::string_view> value = fmtp->Get(key);
  if (!value) return std::optional<int>();
  std::optional<int> number = ParseUnsigned<int>(*value);
  if (!number) return ParamError(track, core::StrCat(key, ": '", *value, "' is not a number"));
  return number;
}

bool FlagParam(const Fmtp* fmtp, std::string_view key) {
  return fmtp != nullptr && fmtp->Get(key).value_or("") == "1";
}

// Decodes a comma-separated list of base64 NAL units; empty items are skipped.
absl::Status DecodeNalList(const TrackDescription& track, std::string_view key,
                           std::string_view list, std::vector<std::vector<uint8_t>>& out) {
  while (!list.empty()) {
    auto [item, rest] = SplitOnce(list, ',');
    list = rest.value_or(std::string_view());
    if (item.empty()) continue;
    std::optional<std::vector<uint8_t>> nal = core::Base64Decode(item);
    if (!nal) return ParamError(track, core::StrCat(key, ": '", item, "' is not base64"));
    if (!nal->empty()) out.push_back(std::move(*nal));
  }
  return absl::OkStatus();
}

absl::Status DescribeH264(const Fmtp* fmtp, TrackDescription& track) {
  H264Params h264;
  ASSIGN_OR_RETURN(std::optional<int> mode, IntParam(track, fmtp, "packetization-mode"));
  if (mode && *mode > 2) return ParamError(track, "packetization-mode must be 0, 1 or 2");
  h264.packetization_mode = mode.value_or(0);
  if (fmtp != nullptr) {
    if (std::optional<std::string_view> id = fmtp->Get("profile-level-id")) {
      h264.profile_level_id = ParseH264ProfileLevelId(*id);
      if (!h264.profile_level_id) {
        return ParamError(track, core::StrCat("profile-level-id '", *id, "' is not 6 hex digits"));
      }
    }
    h264.level_asymmetry_allowed = FlagParam(fmtp, "level-asymmetry-allowed");
    std::vector<std::vector<uint8_t>> nals;
    RETURN_IF_ERROR(DecodeNalList(track, "sprop-parameter-sets",
                                  fmtp->Get("sprop-parameter-sets").value_or(""), nals));
    for (std::vector<uint8_t>& nal : nals) {
      const int type = nal[0] & 0x1f;  // RFC 6184 §1.3
      if (type == 7) h264.sps.push_back(std::move(nal));
      if (type == 8) h264.pps.push_back(std::move(nal));
    }
  }
  track.h264 = std::move(h264);
  return absl::OkStatus();
}

absl::Status DescribeH265(const Fmtp* fmtp, TrackDescription& track) {
  H265Params h265;
  ASSIGN_OR_RETURN(h265.profile_id, IntParam(track, fmtp, "profile-id"));
  ASSIGN_OR_RETURN(h265.level_id, IntParam(track, fmtp, "level-id"));
  ASSIGN_OR_RETURN(h265.tier_flag, IntParam(track, fmtp, "tier-flag"));
  if (fmtp != nullptr) {
    RETURN_IF_ERROR(
        DecodeNalList(track, "sprop-vps", fmtp->Get("sprop-vps").value_or(""), h265.vps));
    RETURN_IF_ERROR(
        DecodeNalList(track, "sprop-sps", fmtp->Get("sprop-sps").value_or(""), h265.sps));
    RETURN_IF_ERROR(
        DecodeNalList(track, "sprop-pps", fmtp->Get("sprop-pps").value_or(""), h265.pps));
  }
  track.h265 = std::move(h265);
  return absl::OkStatus();
}

absl::Status DescribeAac(const Fmtp* fmtp, TrackDescription& track) {
  if (fmtp == nullptr) return ParamError(track, "no a=fmtp (config is required)");
  AacParams aac;
  aac.mode = fmtp->Get("mode").value_or("");
  std::optional<std::string_view> config_hex = fmtp->Get("config");
  if (!config_hex || config_hex->empty()) return ParamError(track, "config is missing");
  std::optional<std::vector<uint8_t>> config = HexDecode(*config_hex);
  if (!config) return ParamError(track, core::StrCat("config '", *config_hex, "' is not hex"));
  aac.config = std::move(*config);
  if (!ParseAudioSpecificConfig(aac.config, aac)) {
    return ParamError(track,
                      core::StrCat("config '", *config_hex, "' is not an AudioSpecificConfig"));
  }
  ASSIGN_OR_RETURN(std::optional<int> size_length, IntParam(track, fmtp, "sizelength"));
  ASSIGN_OR_RETURN(std::optional<int> index_length, IntParam(track, fmtp, "indexlength"));
  ASSIGN_OR_RETURN(std::optional<int> delta_length, IntParam(track, fmtp, "indexdeltalength"));
  ASSIGN_OR_RETURN(std::optional<int> profile_level, IntParam(track, fmtp, "profile-level-id"));
  aac.size_length = size_length.value_or(0);
  aac.index_length = index_length.value_or(0);
  aac.index_delta_length = delta_length.value_or(0);
  aac.profile_level_id = profile_level.value_or(0);
  track.aac = std::move(aac);
  return absl::OkStatus();
}

// The fmtp for `payload_type`, or the section's only fmtp when it has a single format (see
// DescribeTrack()).
std::optional<Fmtp> FindFmtp(const Media& media, int payload_type) {
  if (std::optional<Fmtp> fmtp = media.Fmtp(payload_type)) return fmtp;
  std::vector<std::string_view> all = media.FindAll("fmtp");
  if (media.formats.size() == 1 && all.size() == 1) return Fmtp::Parse(all[0]);
  return std::nullopt;
}

}  // namespace

std::string_view CodecName(Codec codec) {
  for (const CodecEntry& entry : kCodecs) {
    if (entry.codec == codec) return entry.codec == Codec::kAAC ? "AAC" : entry.name;
  }
  return "?";
}

std::optional<H264ProfileLevelId> ParseH264ProfileLevelId(std::string_view hex) {
  if (hex.size() != 6) return std::nullopt;
  std::optional<std::vector<uint8_t>> bytes = HexDecode(hex);
  if (!bytes) return std::nullopt;
  return H264ProfileLevelId{(*bytes)[0], (*bytes)[1], (*bytes)[2]};
}

std::optional<H264ProfileLevelId> H264ProfileLevelIdFromSps(std::span<const uint8_t> sps) {
  if (sps.size() < 4 || (sps[0] & 0x1f) != 7) return std::nullopt;
  return H264ProfileLevelId{sps[1], sps[2], sps[3]};
}

absl::StatusOr<TrackDescription> DescribeTrack(const Media& media, int payload_type) {
  const std::vector<int> types = media.PayloadTypes();
  if (std::find(types.begin(), types.end(), payload_type) == types.end()) {
    return absl::NotFoundError(
        core::StrCat("sdp: payload type ", payload_type, " is not in the m=", media.type, " line"));
  }
  TrackDescription track;
  track.payload_type = payload_type;
  std::optional<RtpMap> map = media.RtpMapFor(payload_type);
  if (map) {
    track.encoding_name = map->encoding;
    track.clock_rate = map->clock_rate;
    track.channels = map->channels;
  } else if (payload_type == 0 || payload_type == 8) {
    // RFC 3551 §6: static payload types need no a=rtpmap.
    track.encoding_name = payload_type == 0 ? "PCMU" : "PCMA";
    track.clock_rate = 8000;
  } else {
    return absl::UnimplementedError(
        core::StrCat("sdp: payload type ", payload_type, " has no a=rtpmap"));
  }
  const CodecEntry* codec = FindCodec(track.encoding_name);
  if (codec == nullptr) {
    return absl::UnimplementedError(core::StrCat("sdp: payload type ", payload_type, " (",
                                                 track.encoding_name, "): codec not supported"));
  }
  track.codec = codec->codec;
  if (codec->audio && track.channels == 0) track.channels = 1;
  if (!codec->audio) track.channels = 0;

  std::optional<Fmtp> fmtp = FindFmtp(media, payload_type);
  if (fmtp) track.fmtp = fmtp->raw;
  for (const RtcpFeedback& fb : media.RtcpFeedbackFor(payload_type)) {
    track.rtcp_fb.push_back(fb.parameter.empty() ? std::string(fb.type)
                                                 : core::StrCat(fb.type, " ", fb.parameter));
  }
  const Fmtp* params = fmtp ? &*fmtp : nullptr;
  switch (track.codec) {
    case Codec::kH264:
      RETURN_IF_ERROR(DescribeH264(params, track));
      break;
    case Codec::kH265:
      RETURN_IF_ERROR(DescribeH265(params, track));
      break;
    case Codec::kVP9: {
      Vp9Params vp9;
      ASSIGN_OR_RETURN(vp9.profile_id, IntParam(track, params, "profile-id"));
      track.vp9 = vp9;
      break;
    }
    case Codec::kAV1: {
      Av1Params av1;
      ASSIGN_OR_RETURN(av1.profile, IntParam(track, params, "profile"));
      ASSIGN_OR_RETURN(av1.level_idx, IntParam(track, params, "level-idx"));
      ASSIGN_OR_RETURN(av1.tier, IntParam(track, params, "tier"));
      track.av1 = av1;
      break;
    }
    case Codec::kOpus:
      track.opus = OpusParams{FlagParam(params, "stereo"), FlagParam(params, "sprop-stereo"),
                              FlagParam(params, "useinbandfec"), FlagParam(params, "usedtx")};
      break;
    case Codec::kAAC:
      RETURN_IF_ERROR(DescribeAac(params, track));
      break;
    case Codec::kVP8:
    case Codec::kPCMU:
    case Codec::kPCMA:
      break;
  }
  return track;
}

std::vector<TrackDescription> DescribeTracks(const Media& media) {
  std::vector<TrackDescription> tracks;
  for (int payload_type : media.PayloadTypes()) {
    absl::StatusOr<TrackDescription> track = DescribeTrack(media, payload_type);
    if (track.ok()) tracks.push_back(*std::move(track));
  }
  return tracks;
}

}  // namespace ringcast::net::sdp
