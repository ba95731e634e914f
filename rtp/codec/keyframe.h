// What an RTP payload says about keyframes and parameter sets, whatever its codec: the one look
// a track takes at each packet it ingests (rtp/track.h). H.264 (RFC 6184) and H.265 (RFC 7798)
// answer through their own InspectPayload (rtp/codec/h264.h, h265.h); everything else carries
// no keyframes ringcast understands and is forwarded as it comes.
//
// Pure functions over caller-owned bytes: no allocation, any thread.
#ifndef RINGCAST_RTP_CODEC_KEYFRAME_H_
#define RINGCAST_RTP_CODEC_KEYFRAME_H_

#include <cstdint>
#include <span>

namespace ringcast::rtp {

// Codecs whose keyframes the track understands.
enum class KeyframeCodec { kNone, kH264, kH265 };

struct PayloadFacts {
  bool valid = false;              // the codec understood the payload (not damaged)
  bool starts_keyframe = false;    // a decoder can start at this packet (StartsKeyframe)
  bool keyframe = false;           // carries the start of an IDR / IRAP slice (IsKeyframe)
  bool keyframe_slice = false;     // begins an IDR / IRAP slice NAL unit
  bool sequence_sets = false;      // carries an SPS (H.264) / a VPS or SPS (H.265)
  bool any_parameter_set = false;  // ... or any PPS: worth walking for a parameter-set cache
};

// kNone, and a payload the codec cannot read, give {} (valid false).
PayloadFacts InspectKeyframes(KeyframeCodec codec, std::span<const uint8_t> payload);

inline bool IsKeyframe(KeyframeCodec codec, std::span<const uint8_t> payload) {
  return InspectKeyframes(codec, payload).keyframe;
}
inline bool StartsKeyframe(KeyframeCodec codec, std::span<const uint8_t> payload) {
  return InspectKeyframes(codec, payload).starts_keyframe;
}

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_CODEC_KEYFRAME_H_
