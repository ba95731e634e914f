#include "rtp/hub/replica.h"

#include <algorithm>

#include "rtp/hub/path_hub.h"

namespace ringcast::rtp::hub {
namespace {

// Room for the owner's History as it is now, twice over (the copy and what arrives meanwhile),
// and at least a few seconds of a high-rate stream.
size_t RelayCapacity(const Stream& stream) {
  size_t history = 0;
  for (size_t i = 0; i < stream.track_count(); ++i)
    history += stream.track(i).history().used_bytes();
  return std::min<size_t>(size_t{64} << 20, std::max<size_t>(size_t{4} << 20, 2 * history));
}

}  // namespace

RelayOut::RelayOut(PathHub& hub, Path& path, int worker)
    : hub_(hub),
      path_(&path),
      worker_(worker),
      relay_(std::make_shared<PacketRelay>(RelayCapacity(*path.stream))) {
  // What the owner has now first (a replica's first viewer fast-starts from it), then live.
  Stream& stream = *path.stream;
  for (size_t i = 0; i < stream.track_count(); ++i) {
    const History& history = stream.track(i).history();
    for (uint64_t seq = history.begin_seq(); seq < history.end_seq(); ++seq) {
      if (std::optional<HistoryPacket> packet = history.Find(seq)) {
        relay_->Push(static_cast<uint8_t>(i), *packet);
      }
    }
    stream.track(i).AddReader(this);
  }
  hub_.ring().AddBatchEndHandler(this);
  attached_ = true;
}

RelayOut::~RelayOut() { Detach(); }

void RelayOut::Detach() {
  if (!attached_) return;
  attached_ = false;
  hub_.ring().RemoveBatchEndHandler(this);
  if (path_ != nullptr && path_->stream != nullptr) {
    for (size_t i = 0; i < path_->stream->track_count(); ++i) {
      path_->stream->track(i).RemoveReader(this);
    }
  }
  path_ = nullptr;
}

void RelayOut::OnTrackPacket(Track& track, const HistoryPacket& packet) {
  if (path_ == nullptr || path_->stream == nullptr) return;
  const Stream& stream = *path_->stream;
  for (size_t i = 0; i < stream.track_count(); ++i) {
    if (&stream.track(i) == &track) {
      relay_->Push(static_cast<uint8_t>(i), packet);
      return;
    }
  }
}

void RelayOut::OnBatchEnd() {
  if (path_ == nullptr || !relay_->WakeWanted()) return;
  hub_.RunOnPeer(worker_, [name = path_->name](PathHub& remote) { remote.DrainMirror(name); });
}

void RelayOut::OnPathGone(std::string_view reason) {
  if (path_ == nullptr) return;
  Path& path = *path_;
  hub_.OnRelayGone(path, this, reason);  // detaches us; we are deleted later
}

}  // namespace ringcast::rtp::hub
