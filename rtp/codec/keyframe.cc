#include "rtp/codec/keyframe.h"

#include <optional>

#include "rtp/codec/h264.h"
#include "rtp/codec/h265.h"

namespace ringcast::rtp {

PayloadFacts InspectKeyframes(KeyframeCodec codec, std::span<const uint8_t> payload) {
  PayloadFacts facts;
  if (codec == KeyframeCodec::kH264) {
    if (std::optional<h264::PayloadInfo> info = h264::InspectPayload(payload)) {
      facts.valid = true;
      facts.starts_keyframe = h264::StartsKeyframe(*info);
      facts.keyframe = h264::IsKeyframe(*info);
      facts.keyframe_slice = info->has_idr;
      facts.sequence_sets = info->has_sps;
      facts.any_parameter_set = info->has_sps || info->has_pps;
    }
  } else if (codec == KeyframeCodec::kH265) {
    if (std::optional<h265::PayloadInfo> info = h265::InspectPayload(payload)) {
      facts.valid = true;
      facts.starts_keyframe = h265::StartsKeyframe(*info);
      facts.keyframe = h265::IsKeyframe(*info);
      facts.keyframe_slice = info->has_irap;
      facts.sequence_sets = info->has_vps || info->has_sps;
      facts.any_parameter_set = info->has_vps || info->has_sps || info->has_pps;
    }
  }
  return facts;
}

}  // namespace ringcast::rtp
