#include "rtp/track.h"

#include <algorithm>
#include <cstring>

#include "rtp/byte_io.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/h265.h"
#include "rtp/codec/nal_common.h"

namespace ringcast::rtp {
namespace {

// A sequence jump this large is a new source numbering (a publisher that reconnected without
// telling us), not loss.
constexpr int64_t kRestartSeqJump = 3000;

}  // namespace

Track::Track(const TrackOptions& options) : options_(options), history_(options.history) {
  parameter_sets_.resize(options_.codec == KeyframeCodec::kH265 ? 3 : 2);
  SetParameterSets(options_.parameter_sets);
}

void Track::SetParameterSets(const std::vector<std::vector<uint8_t>>& parameter_sets) {
  if (parameter_sets.size() != parameter_sets_.size()) return;
  for (size_t i = 0; i < parameter_sets.size(); ++i) {
    if (!parameter_sets[i].empty()) parameter_sets_[i] = parameter_sets[i];
  }
}

void Track::AddReader(TrackReader* reader) { readers_.push_back(reader); }

void Track::RemoveReader(TrackReader* reader) {
  if (notifying_) {
    // Inside the loop below: blank the slot, compact afterwards, so nobody is skipped.
    std::replace(readers_.begin(), readers_.end(), reader, static_cast<TrackReader*>(nullptr));
    return;
  }
  std::erase(readers_, reader);
}

void Track::OnSourceRestart() {
  if (mapped_) ++stats_.restarts;
  mapped_ = false;
  candidate_seq_.reset();
}

void Track::MapInput(const RtpView& packet, int64_t now_ns) {
  input_seq_.Reset();
  int64_t input = input_seq_.Unwrap(packet.sequence_number());
  if (last_output_seq_ < 0) {
    // The very first packet: keep the source's own numbering.
    seq_offset_ = 0;
    ts_offset_ = 0;
  } else {
    seq_offset_ = last_output_seq_ + 1 - input;
    int64_t elapsed_ns = std::max<int64_t>(now_ns - last_arrival_ns_, 0);
    uint32_t elapsed_ticks = static_cast<uint32_t>(static_cast<unsigned __int128>(elapsed_ns) *
                                                   options_.clock_rate / 1'000'000'000);
    ts_offset_ = last_output_ts_ + std::max<uint32_t>(elapsed_ticks, 1) - packet.timestamp();
  }
  input_ssrc_ = packet.ssrc();
  mapped_ = true;
}

bool Track::Ingest(const RtpView& packet, int64_t now_ns) {
  if (mapped_ && packet.ssrc() != input_ssrc_) OnSourceRestart();
  if (mapped_) {
    int64_t input = input_seq_.PeekUnwrap(packet.sequence_number());
    int64_t distance = input - input_seq_.highest();
    if (distance > kRestartSeqJump || distance < -kRestartSeqJump) OnSourceRestart();
  }
  if (!mapped_) MapInput(packet, now_ns);

  int64_t output_seq = input_seq_.Unwrap(packet.sequence_number()) + seq_offset_;
  if (output_seq <= last_output_seq_ || output_seq < 0) {
    ++stats_.late;
    return false;
  }
  if (last_output_seq_ >= 0)
    stats_.lost += static_cast<uint64_t>(output_seq - last_output_seq_ - 1);
  uint32_t output_ts = packet.timestamp() + ts_offset_;

  PayloadFacts facts = InspectKeyframes(options_.codec, packet.payload());
  if (facts.valid) {
    if (!unit_started_ || unit_ts_ != output_ts) {
      unit_started_ = true;
      unit_ts_ = output_ts;
      unit_has_parameter_sets_ = false;
    }
    if (facts.sequence_sets) unit_has_parameter_sets_ = true;
    if (facts.keyframe_slice && !unit_has_parameter_sets_) {
      int inserted = InsertParameterSets(packet, output_seq, output_ts, now_ns);
      seq_offset_ += inserted;
      output_seq += inserted;
    }
  }

  // The one copy: from the receive buffer into the History, renumbered there, so every reader
  // can send the stored packet as it is.
  std::span<const uint8_t> bytes = packet.packet();
  auto seq = static_cast<uint64_t>(output_seq);
  History::PacketFacts stored_facts{.seq = seq,
                                    .timestamp = output_ts,
                                    .arrival_ns = now_ns,
                                    .marker = packet.marker(),
                                    .payload_size = static_cast<uint16_t>(packet.payload().size())};
  std::span<uint8_t> stored = Store(bytes.size(), stored_facts);
  if (stored.empty()) return false;
  std::memcpy(stored.data(), bytes.data(), bytes.size());
  Renumber(stored, seq, output_ts);
  ++stats_.packets;
  stats_.bytes += bytes.size();
  InspectPayload(packet.payload(), facts, seq, output_ts);
  Notify(stored, stored_facts);
  return true;
}

bool Track::IngestRelayed(const HistoryPacket& packet) {
  const auto seq = static_cast<int64_t>(packet.seq);
  if (seq <= last_output_seq_ || packet.bytes.size() < 12) {
    ++stats_.late;
    return false;
  }
  if (last_output_seq_ >= 0) stats_.lost += static_cast<uint64_t>(seq - last_output_seq_ - 1);
  History::PacketFacts facts{.seq = packet.seq,
                             .timestamp = packet.timestamp,
                             .arrival_ns = packet.arrival_ns,
                             .marker = packet.marker,
                             .payload_size = packet.payload_size};
  std::span<uint8_t> stored = Store(packet.bytes.size(), facts);
  if (stored.empty()) return false;
  std::memcpy(stored.data(), packet.bytes.data(), packet.bytes.size());
  ++stats_.packets;
  stats_.bytes += packet.bytes.size();
  if (std::optional<RtpView> view = RtpView::Parse(stored)) {
    std::span<const uint8_t> payload = view->payload();
    InspectPayload(payload, InspectKeyframes(options_.codec, payload), packet.seq,
                   packet.timestamp);
  }
  Notify(stored, facts);
  return true;
}

void Track::Renumber(std::span<uint8_t> stored, uint64_t seq, uint32_t timestamp) const {
  StoreBe16(stored.data() + 2, static_cast<uint16_t>(seq));
  StoreBe32(stored.data() + 4, timestamp);
  StoreBe32(stored.data() + 8, options_.ssrc);
}

std::span<uint8_t> Track::Store(size_t size, const History::PacketFacts& facts) {
  std::span<uint8_t> stored = history_.Append(size, facts);
  if (stored.empty()) {
    ++stats_.too_large;
    return stored;
  }
  last_output_seq_ = static_cast<int64_t>(facts.seq);
  last_output_ts_ = facts.timestamp;
  last_arrival_ns_ = facts.arrival_ns;
  return stored;
}

void Track::Notify(std::span<const uint8_t> stored, const History::PacketFacts& facts) {
  // The packet as readers get it: no look-up, the keyframe flag as InspectPayload left it.
  const HistoryPacket packet{.bytes = stored,
                             .seq = facts.seq,
                             .timestamp = facts.timestamp,
                             .arrival_ns = facts.arrival_ns,
                             .keyframe = history_.last_keyframe_seq() == facts.seq,
                             .marker = facts.marker,
                             .payload_size = facts.payload_size};
  notifying_ = true;
  for (size_t i = 0; i < readers_.size(); ++i) {  // readers may be added meanwhile: index
    if (readers_[i] != nullptr) readers_[i]->OnTrackPacket(*this, packet);
  }
  notifying_ = false;
  std::erase(readers_, nullptr);
}

int Track::InsertParameterSets(const RtpView& packet, int64_t seq, uint32_t timestamp,
                               int64_t now_ns) {
  for (const std::vector<uint8_t>& set : parameter_sets_) {
    if (set.empty()) return 0;  // nothing (complete) to insert: the decoder must wait
  }
  constexpr size_t kMaxPayload = 1200;
  uint8_t payloads[2 * kMaxPayload];
  PayloadSet set;
  if (options_.codec == KeyframeCodec::kH264) {
    set = h264::BuildParameterSetPayloads(parameter_sets_[0], parameter_sets_[1],
                                          options_.single_nal_mode
                                              ? h264::PacketizationMode::kSingleNal
                                              : h264::PacketizationMode::kNonInterleaved,
                                          kMaxPayload, payloads);
  } else {
    set = h265::BuildParameterSetPayloads(parameter_sets_[0], parameter_sets_[1],
                                          parameter_sets_[2], kMaxPayload, payloads);
  }
  int inserted = 0;
  for (std::span<const uint8_t> payload : set.view()) {
    auto out_seq = static_cast<uint64_t>(seq + inserted);
    History::PacketFacts stored_facts{.seq = out_seq,
                                      .timestamp = timestamp,
                                      .arrival_ns = now_ns,
                                      .payload_size = static_cast<uint16_t>(payload.size())};
    std::span<uint8_t> stored = Store(12 + payload.size(), stored_facts);
    if (stored.empty()) break;
    // The keyframe's own header (version, payload type), without CSRCs, extension, padding or
    // marker.
    std::memcpy(stored.data(), packet.packet().data(), 12);
    stored[0] = static_cast<uint8_t>(stored[0] & 0xC0);
    stored[1] = static_cast<uint8_t>(stored[1] & 0x7F);
    std::memcpy(stored.data() + 12, payload.data(), payload.size());
    Renumber(stored, out_seq, timestamp);
    PayloadFacts facts = InspectKeyframes(options_.codec, payload);
    InspectPayload(payload, facts, out_seq, timestamp);
    Notify(stored, stored_facts);
    ++inserted;
  }
  if (inserted > 0) {
    ++stats_.parameter_sets_inserted;
    unit_has_parameter_sets_ = true;
  }
  return inserted;
}

void Track::CacheParameterSet(std::span<const uint8_t> nal, size_t slot) {
  std::vector<uint8_t>& cached = parameter_sets_[slot];
  if (cached.size() == nal.size() && std::equal(nal.begin(), nal.end(), cached.begin())) return;
  cached.assign(nal.begin(), nal.end());  // rare: parameter sets seldom change
}

void Track::InspectPayload(std::span<const uint8_t> payload, const PayloadFacts& facts,
                           uint64_t seq, uint32_t timestamp) {
  // One look at the payload (InspectFacts) answers the keyframe questions; NAL units are
  // walked only when the packet carries parameter sets to cache (or is damaged: a broken
  // STAP-A still yields its good units).
  if (options_.codec == KeyframeCodec::kH264) {
    if (!facts.valid || facts.any_parameter_set) {
      h264::ForEachNalUnit(payload, [&](std::span<const uint8_t> nal) {
        uint8_t type = h264::NalType(nal[0]);
        if (type == h264::kNalSps) CacheParameterSet(nal, 0);
        if (type == h264::kNalPps) CacheParameterSet(nal, 1);
      });
    }
  } else if (options_.codec == KeyframeCodec::kH265) {
    if (!facts.valid || facts.any_parameter_set) {
      h265::ForEachNalUnit(payload, [&](std::span<const uint8_t> nal) {
        if (nal.size() < 2) return;
        uint8_t type = h265::NalType(nal[0]);
        if (type == h265::kNalVps) CacheParameterSet(nal, 0);
        if (type == h265::kNalSps) CacheParameterSet(nal, 1);
        if (type == h265::kNalPps) CacheParameterSet(nal, 2);
      });
    }
  } else {
    return;
  }
  bool starts = facts.starts_keyframe;
  bool keyframe = facts.keyframe;
  // The keyframe starts at the first packet of its access unit (one RTP timestamp) that a
  // decoder can start at, and is certain once a packet of that unit carries the IDR/IRAP.
  if ((starts || keyframe) && (!candidate_seq_ || candidate_ts_ != timestamp)) {
    candidate_seq_ = seq;
    candidate_ts_ = timestamp;
    candidate_confirmed_ = false;
  }
  if (keyframe && candidate_seq_ && candidate_ts_ == timestamp && !candidate_confirmed_) {
    candidate_confirmed_ = true;
    history_.MarkKeyframe(*candidate_seq_);
    ++stats_.keyframes;
  }
}

}  // namespace ringcast::rtp
