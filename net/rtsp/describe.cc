#include "net/rtsp/describe.h"

#include <cctype>

#include "core/strings.h"
#include "net/sdp/codec_params.h"

namespace ringcast::net::rtsp {
namespace {

rtp::KeyframeCodec KeyframeCodecFor(std::string_view encoding) {
  std::string upper(encoding);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "H264") return rtp::KeyframeCodec::kH264;
  if (upper == "H265") return rtp::KeyframeCodec::kH265;
  return rtp::KeyframeCodec::kNone;
}

}  // namespace

absl::StatusOr<SourceTracks> TracksFromSdp(const sdp::Session& session) {
  SourceTracks out;
  for (const sdp::Media& media : session.media) {
    std::vector<int> types = media.PayloadTypes();
    if (types.empty()) continue;
    rtp::TrackInfo info;
    info.media = media.type;
    info.payload_type = types.front();
    if (std::optional<sdp::RtpMap> map = media.RtpMapFor(info.payload_type)) {
      info.encoding_name = std::string(map->encoding);
      info.clock_rate = map->clock_rate;
      info.channels = map->channels;
    } else if (info.payload_type == 0 || info.payload_type == 8) {  // RFC 3551 static types
      info.encoding_name = info.payload_type == 0 ? "PCMU" : "PCMA";
      info.clock_rate = 8000;
      info.channels = 1;
    } else {
      return absl::InvalidArgumentError(
          core::StrCat("payload type ", info.payload_type, " has no a=rtpmap"));
    }
    if (info.clock_rate == 0) {
      return absl::InvalidArgumentError(
          core::StrCat("payload type ", info.payload_type, " has a zero clock rate"));
    }
    if (std::optional<sdp::Fmtp> fmtp = media.Fmtp(info.payload_type)) {
      info.fmtp = std::string(fmtp->raw);
    }
    info.keyframe_codec = KeyframeCodecFor(info.encoding_name);
    // Out-of-band parameter sets: the track puts them in front of keyframes that lack them.
    if (absl::StatusOr<sdp::TrackDescription> description =
            sdp::DescribeTrack(media, info.payload_type);
        description.ok()) {
      if (description->h264) {
        const sdp::H264Params& h264 = *description->h264;
        info.single_nal_mode = h264.packetization_mode == 0;
        if (!h264.sps.empty() && !h264.pps.empty()) {
          info.parameter_sets = {h264.sps.front(), h264.pps.front()};
        }
      } else if (description->h265) {
        const sdp::H265Params& h265 = *description->h265;
        if (!h265.vps.empty() && !h265.sps.empty() && !h265.pps.empty()) {
          info.parameter_sets = {h265.vps.front(), h265.sps.front(), h265.pps.front()};
        }
      }
    }
    out.tracks.push_back(std::move(info));
    out.controls.emplace_back(media.Control().value_or(""));
  }
  if (out.tracks.empty()) return absl::InvalidArgumentError("no RTP media");
  return out;
}

std::string DescribeStream(const rtp::Stream& stream) {
  std::string sdp = core::StrCat("v=0\r\no=- 0 1 IN IP4 127.0.0.1\r\ns=ringcast ", stream.path(),
                                 "\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=control:*\r\n");
  const std::vector<rtp::TrackInfo>& infos = stream.track_infos();
  for (size_t i = 0; i < infos.size(); ++i) {
    const rtp::TrackInfo& info = infos[i];
    core::StrAppend(sdp, "m=", info.media, " 0 RTP/AVP ", info.payload_type,
                    "\r\na=rtpmap:", info.payload_type, " ", info.encoding_name, "/",
                    info.clock_rate);
    if (info.channels > 0) core::StrAppend(sdp, "/", info.channels);
    sdp += "\r\n";
    if (!info.fmtp.empty())
      core::StrAppend(sdp, "a=fmtp:", info.payload_type, " ", info.fmtp, "\r\n");
    core::StrAppend(sdp, "a=control:trackID=", i, "\r\n");
  }
  return sdp;
}

std::string ResolveControl(std::string_view base, std::string_view control) {
  if (control.empty() || control == "*") return std::string(base);
  if (control.starts_with("rtsp://") || control.starts_with("rtsps://"))
    return std::string(control);
  std::string url(base);
  if (url.empty() || url.back() != '/') url += '/';
  url += control;
  return url;
}

}  // namespace ringcast::net::rtsp
