// Replicas: one path's viewers on several workers (ARCHITECTURE.md, "A popular path").
//
//   owner worker                                   remote worker
//   Track ─OnTrackPacket─▶ RelayOut ─PacketRelay─▶ Mirror ─Drain─▶ replica Track ─▶ viewers
//
// The owner keeps the path's Track and History. For each other worker that serves some of its
// viewers it runs a RelayOut: a reader of every track that copies each stored packet into that
// worker's PacketRelay (no lock), and at the end of the owner's loop iteration wakes the remote
// worker when it pushed something. The remote worker's Mirror drains the relay into a replica
// Stream — the same tracks, same numbering — whose History serves its viewers' fast start and
// NACKs, so nothing a viewer asks for crosses a thread.
//
// Life: the owner creates a RelayOut when it sends a viewer to another worker (PathHub::
// EnsureRelay): the relay first carries the owner's History as it is (so a replica can fast-
// start its first viewer), then every new packet. Each such viewer bumps the relay's attach
// number. A remote worker whose replica has had no viewers for a while (HubOptions::
// mirror_linger_ns) offers the relay
// back with the last attach number it saw; the owner drops it only if no viewer was sent since,
// and only then tells the remote worker to drop its replica — so a replica never loses its feed
// while a viewer is on its way to it. A path that goes away (or whose tracks change) on its
// owner cuts the replicas' viewers off.
//
// Threads: a RelayOut lives on the owner's worker, a Mirror on the remote one; the relay is the
// only object both touch (see relay.h for its memory ordering). Everything else between them
// travels as tasks posted to the other worker's ring.
#ifndef RINGCAST_RTP_HUB_REPLICA_H_
#define RINGCAST_RTP_HUB_REPLICA_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/ring.h"
#include "rtp/hub/path.h"
#include "rtp/hub/relay.h"
#include "rtp/track.h"

namespace ringcast::rtp::hub {

class PathHub;

// The owner's side: feeds one remote worker's replica of `path`.
class RelayOut final : public TrackReader, public PathClient, private core::BatchEndHandler {
 public:
  // Registers as a reader of the path and its tracks and copies the History in.
  RelayOut(PathHub& hub, Path& path, int worker);
  ~RelayOut() override;

  int worker() const { return worker_; }
  const std::shared_ptr<PacketRelay>& relay() const { return relay_; }
  uint64_t attach_seq() const { return attach_seq_; }
  uint64_t NextAttach() { return ++attach_seq_; }
  // Stops feeding (the hub deletes it soon after).
  void Detach();

  // TrackReader
  void OnTrackPacket(Track& track, const HistoryPacket& packet) override;
  // PathClient: the path went (or its tracks changed) on the owner.
  void OnPathGone(std::string_view reason) override;

 private:
  void OnBatchEnd() override;

  PathHub& hub_;
  Path* path_;
  const int worker_;
  std::shared_ptr<PacketRelay> relay_;
  uint64_t attach_seq_ = 0;
  bool attached_ = false;  // reader of the path and its tracks
};

// The remote side: a replica of a path another worker owns.
struct Mirror {
  int owner = -1;
  std::shared_ptr<PacketRelay> relay;
  uint64_t attach_seq = 0;              // of the last viewer the owner sent
  std::unique_ptr<core::Timer> linger;  // no viewers: offer the relay back after a while
  uint64_t packets = 0;
};

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_REPLICA_H_
