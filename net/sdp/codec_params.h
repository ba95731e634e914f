// What a media section says about each RTP payload type ringcast can carry: codec, clock,
// channels and the codec's fmtp parameters decoded (H.264 / H.265 parameter sets, AAC config),
// plus the raw fmtp string so egress can repeat it unchanged.
//
// Used by the RTSP server and client (tracks of an ANNOUNCE / DESCRIBE) and by WebRTC (which
// of a browser's payload types matches the source). Returned values own their data. Pure
// functions, any thread.
#ifndef RINGCAST_NET_SDP_CODEC_PARAMS_H_
#define RINGCAST_NET_SDP_CODEC_PARAMS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "net/sdp/session.h"

namespace ringcast::net::sdp {

enum class Codec { kH264, kH265, kVP8, kVP9, kAV1, kOpus, kPCMU, kPCMA, kAAC };
std::string_view CodecName(Codec codec);

// profile-level-id (RFC 6184 §8.1): profile_idc, the constraint_set flags byte (profile-iop)
// and level_idc — the same three bytes that follow the NAL header in an SPS.
struct H264ProfileLevelId {
  uint8_t profile_idc = 0;
  uint8_t profile_iop = 0;  // constraint_set0_flag is the top bit
  uint8_t level_idc = 0;
  bool ConstraintSet(int n) const { return (profile_iop >> (7 - n)) & 1; }  // n = 0..5
  bool operator==(const H264ProfileLevelId&) const = default;
};
// Six hex digits ("42e01f"), either case.
std::optional<H264ProfileLevelId> ParseH264ProfileLevelId(std::string_view hex);
// From an SPS NAL unit (header byte included): bytes 1..3.
std::optional<H264ProfileLevelId> H264ProfileLevelIdFromSps(std::span<const uint8_t> sps);

struct H264Params {
  int packetization_mode = 0;  // RFC 6184 §8.1: 0 when absent
  std::optional<H264ProfileLevelId> profile_level_id;
  bool level_asymmetry_allowed = false;
  // sprop-parameter-sets, decoded: each NAL unit with its header byte (0x67 / 0x68 ...).
  std::vector<std::vector<uint8_t>> sps;
  std::vector<std::vector<uint8_t>> pps;
};

struct H265Params {
  std::optional<int> profile_id;  // RFC 7798 §7.1
  std::optional<int> level_id;
  std::optional<int> tier_flag;
  std::vector<std::vector<uint8_t>> vps;  // sprop-vps / -sps / -pps, decoded NAL units
  std::vector<std::vector<uint8_t>> sps;
  std::vector<std::vector<uint8_t>> pps;
};

struct Vp9Params {
  std::optional<int> profile_id;  // RFC 9628 §6
};

struct Av1Params {
  std::optional<int> profile;  // AV1 RTP spec §7.2
  std::optional<int> level_idx;
  std::optional<int> tier;
};

struct OpusParams {  // RFC 7587 §6.1
  bool stereo = false;
  bool sprop_stereo = false;
  bool useinbandfec = false;
  bool usedtx = false;
};

// mpeg4-generic AAC (RFC 3640 §4.1) and the AudioSpecificConfig it carries (ISO 14496-3).
struct AacParams {
  std::string mode;  // "AAC-hbr", "AAC-lbr"
  std::vector<uint8_t> config;
  int size_length = 0;
  int index_length = 0;
  int index_delta_length = 0;
  int profile_level_id = 0;
  // From the first bytes of `config`.
  int object_type = 0;  // 2 = AAC LC
  uint32_t sample_rate = 0;
  int channel_config = 0;
};

struct TrackDescription {
  int payload_type = 0;
  Codec codec = Codec::kH264;
  std::string encoding_name;  // as written in a=rtpmap, or "PCMU"/"PCMA" for static types
  uint32_t clock_rate = 0;
  int channels = 0;                  // audio: from a=rtpmap, 1 when absent; video: 0
  std::string fmtp;                  // raw a=fmtp parameters for this payload type, "" when none
  std::vector<std::string> rtcp_fb;  // "nack", "nack pli", "ccm fir", ... ("*" ones included)
  std::optional<H264Params> h264;
  std::optional<H265Params> h265;
  std::optional<Vp9Params> vp9;
  std::optional<Av1Params> av1;
  std::optional<OpusParams> opus;
  std::optional<AacParams> aac;
};

// Describes one payload type of `media`. NotFound when the m= line does not list it,
// Unimplemented when its codec is not one ringcast handles, InvalidArgument when its
// parameters are broken, e.g. "sdp: payload type 96 (H264): sprop-parameter-sets: not base64".
//
// Tolerated: static types 0 (PCMU) and 8 (PCMA) without a=rtpmap; an fmtp under another
// payload type when the section has exactly one format and one fmtp (Hikvision writes
// a=fmtp:97 for payload type 104); empty sprop values.
absl::StatusOr<TrackDescription> DescribeTrack(const Media& media, int payload_type);

// DescribeTrack() for every payload type of the m= line, in its order, leaving out those that
// fail (unknown codecs, broken parameters).
std::vector<TrackDescription> DescribeTracks(const Media& media);

}  // namespace ringcast::net::sdp

#endif  // RINGCAST_NET_SDP_CODEC_PARAMS_H_
