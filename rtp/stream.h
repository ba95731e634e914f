// Stream: the live media of one path — its tracks and how they are described — between a
// source (an RTSP publisher, later a pulled camera) and its readers.
//
// A source claims the stream with a description (one entry per track, in SDP order), feeds
// each track with Ingest, and releases it when it goes; the tracks (and their Histories) stay,
// so a returning source continues the same numbering and readers see no jump. A new source
// whose tracks differ (codec, clock rate, count) replaces the tracks and readers are dropped.
//
// Ownership and threads: owned by the path's entry in the worker's PathHub; worker thread only.
#ifndef RINGCAST_RTP_STREAM_H_
#define RINGCAST_RTP_STREAM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rtp/track.h"

namespace ringcast::rtp {

struct TrackInfo {
  std::string media;          // "video", "audio"
  std::string encoding_name;  // "H264", "opus", ... as the source's rtpmap has it
  int payload_type = 96;
  uint32_t clock_rate = 90000;
  int channels = 0;
  std::string fmtp;  // the source's a=fmtp parameters, reused for readers
  KeyframeCodec keyframe_codec = KeyframeCodec::kNone;
  // H.264 {SPS, PPS} / H.265 {VPS, SPS, PPS} from the SDP's sprop parameters (empty when it
  // has none), and H.264 packetization-mode=0.
  std::vector<std::vector<uint8_t>> parameter_sets;
  bool single_nal_mode = false;

  bool SameMedia(const TrackInfo& other) const {
    return media == other.media && encoding_name == other.encoding_name &&
           clock_rate == other.clock_rate && channels == other.channels;
  }
};

class Stream {
 public:
  explicit Stream(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  bool has_source() const { return source_ != nullptr; }
  const void* source() const { return source_; }

  // `source` identifies the claimant (its session object). Returns true when the tracks were
  // (re)built, meaning readers of the old ones must be dropped.
  bool Claim(const void* source, std::vector<TrackInfo> tracks, const HistoryOptions& history);
  // Only the current source releases; tracks stay for its successor.
  void Release(const void* source);

  const std::vector<TrackInfo>& track_infos() const { return infos_; }
  size_t track_count() const { return tracks_.size(); }
  Track& track(size_t i) { return *tracks_[i]; }
  const Track& track(size_t i) const { return *tracks_[i]; }

  uint64_t sources_seen() const { return sources_seen_; }

 private:
  std::string path_;
  const void* source_ = nullptr;
  std::vector<TrackInfo> infos_;
  std::vector<std::unique_ptr<Track>> tracks_;
  uint64_t sources_seen_ = 0;
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_STREAM_H_
