// Track: one media track of a path — where a source's RTP packets come in (Ingest) and
// every reader's packets come from (the History).
//
//   source packet ─Ingest─▶ validate, map to the track's own numbering (SSRC, sequence,
//   timestamp), detect keyframes, cache parameter sets ─▶ History::Append ─▶ readers
//
// The output numbering never jumps: when the source restarts (a publisher reconnects, a camera
// is re-pulled, its SSRC or sequence jumps), the next packet continues the old sequence and
// advances the timestamp by the wall-clock time that passed, so readers see a pause, not a new
// stream.
//
// Ownership and threads: a Track belongs to the worker of its path. Readers are not owned; a
// reader removes itself before it goes away. Packet spans are valid during the call only.
#ifndef RINGCAST_RTP_TRACK_H_
#define RINGCAST_RTP_TRACK_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtp/codec/keyframe.h"
#include "rtp/history.h"
#include "rtp/rtp_packet.h"
#include "rtp/seq_num.h"

namespace ringcast::rtp {

struct TrackOptions {
  KeyframeCodec codec = KeyframeCodec::kNone;
  uint32_t clock_rate = 90000;
  uint32_t ssrc = 0;  // the track's own SSRC, kept across source restarts
  HistoryOptions history;
  // Parameter sets the source announced out of band (SDP sprop-*), in parameter_sets() order;
  // used until the same kind arrives in-band.
  std::vector<std::vector<uint8_t>> parameter_sets;
  bool single_nal_mode = false;  // H.264 packetization-mode=0: no STAP-A
};

struct TrackStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t lost = 0;  // sequence numbers the source skipped
  uint64_t late = 0;  // duplicates and packets older than the newest (dropped)
  uint64_t keyframes = 0;
  uint64_t restarts = 0;                 // source restarts bridged
  uint64_t too_large = 0;                // packets the History refused
  uint64_t parameter_sets_inserted = 0;  // keyframes that came without their parameter sets
};

class Track;

class TrackReader {
 public:
  virtual ~TrackReader() = default;
  // A packet was appended to the track's History (and is its newest). `packet` is the stored
  // one, in the track's numbering: the reader sends it on without looking it up.
  virtual void OnTrackPacket(Track& track, const HistoryPacket& packet) = 0;
};

class Track {
 public:
  explicit Track(const TrackOptions& options);

  // One packet from the source. Returns false when it was dropped (late or duplicate).
  bool Ingest(const RtpView& packet, int64_t now_ns);
  // A replica's packet: one the owner's track stored (already in the track numbering, parameter
  // sets inserted), relayed from another worker (rtp/hub/relay.h). Stored as it is; keyframes
  // are found again from the payload, as the owner found them. False when late or refused.
  bool IngestRelayed(const HistoryPacket& packet);
  // The source is gone; its next packet starts a new input numbering.
  void OnSourceRestart();

  void AddReader(TrackReader* reader);
  void RemoveReader(TrackReader* reader);
  size_t reader_count() const {
    return readers_.size() -
           static_cast<size_t>(std::count(readers_.begin(), readers_.end(), nullptr));
  }

  const History& history() const { return history_; }
  const TrackStats& stats() const { return stats_; }
  const TrackOptions& options() const { return options_; }
  // The newest parameter sets seen in-band (H.264: SPS, PPS; H.265: VPS, SPS, PPS), as NAL
  // units; empty until seen.
  const std::vector<std::vector<uint8_t>>& parameter_sets() const { return parameter_sets_; }
  // Replaces the out-of-band parameter sets (a returning source may announce new ones).
  void SetParameterSets(const std::vector<std::vector<uint8_t>>& parameter_sets);

 private:
  void MapInput(const RtpView& packet, int64_t now_ns);
  void InspectPayload(std::span<const uint8_t> payload, const PayloadFacts& facts, uint64_t seq,
                      uint32_t timestamp);
  // Room for a packet in the History (the caller writes it there), or empty when it is refused.
  std::span<uint8_t> Store(size_t size, const History::PacketFacts& facts);
  // The stored packet's sequence number, timestamp and SSRC in the track's numbering.
  void Renumber(std::span<uint8_t> stored, uint64_t seq, uint32_t timestamp) const;
  // Hands the packet just stored to every reader.
  void Notify(std::span<const uint8_t> stored, const History::PacketFacts& facts);
  // Browsers (and most decoders) cannot start at an IDR whose SPS/PPS only ever came in the
  // SDP: such a keyframe gets the cached parameter sets as packets of its own in front of it
  // (in the track's numbering, so every reader sees the same sequence). Returns how many
  // packets it inserted.
  int InsertParameterSets(const RtpView& packet, int64_t seq, uint32_t timestamp, int64_t now_ns);
  void CacheParameterSet(std::span<const uint8_t> nal, size_t slot);

  TrackOptions options_;
  History history_;
  TrackStats stats_;
  std::vector<TrackReader*> readers_;  // nullptr: removed while being notified
  bool notifying_ = false;
  std::vector<std::vector<uint8_t>> parameter_sets_;

  // The access unit being received: did it carry parameter sets before its IDR?
  bool unit_started_ = false;
  uint32_t unit_ts_ = 0;
  bool unit_has_parameter_sets_ = false;

  // Input → output mapping.
  bool mapped_ = false;
  uint32_t input_ssrc_ = 0;
  SeqUnwrapper input_seq_;
  int64_t seq_offset_ = 0;  // output = unwrapped input + offset
  uint32_t ts_offset_ = 0;  // output = input + offset (mod 2^32)
  int64_t last_output_seq_ = -1;
  uint32_t last_output_ts_ = 0;
  int64_t last_arrival_ns_ = 0;

  // Keyframe detection within one access unit (RTP timestamp).
  std::optional<uint64_t> candidate_seq_;
  uint32_t candidate_ts_ = 0;
  bool candidate_confirmed_ = false;
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_TRACK_H_
