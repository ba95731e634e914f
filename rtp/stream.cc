#include "rtp/stream.h"

#include <random>

namespace ringcast::rtp {

bool Stream::Claim(const void* source, std::vector<TrackInfo> tracks,
                   const HistoryOptions& history) {
  source_ = source;
  ++sources_seen_;
  bool same = tracks.size() == infos_.size();
  for (size_t i = 0; same && i < tracks.size(); ++i) same = tracks[i].SameMedia(infos_[i]);
  if (same) {
    for (size_t i = 0; i < tracks_.size(); ++i) {
      tracks_[i]->OnSourceRestart();
      tracks_[i]->SetParameterSets(tracks[i].parameter_sets);
    }
    infos_ = std::move(tracks);  // fmtp may have changed (new SPS); media did not
    return false;
  }
  infos_ = std::move(tracks);
  tracks_.clear();
  std::random_device random;
  for (const TrackInfo& info : infos_) {
    TrackOptions options;
    options.codec = info.keyframe_codec;
    options.clock_rate = info.clock_rate;
    options.ssrc = random();
    options.history = history;
    options.parameter_sets = info.parameter_sets;
    options.single_nal_mode = info.single_nal_mode;
    tracks_.push_back(std::make_unique<Track>(options));
  }
  return true;
}

void Stream::Release(const void* source) {
  if (source_ == source) source_ = nullptr;
}

}  // namespace ringcast::rtp
