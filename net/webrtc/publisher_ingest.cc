#include "net/webrtc/publisher_ingest.h"

#include <string.h>

#include <algorithm>

#include "rtp/byte_io.h"
#include "rtp/rtcp/feedback.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtcp/sdes.h"
#include "rtp/transport_sequence.h"

namespace ringcast::net::webrtc {
namespace {

constexpr size_t kMaxRtcpBytes = 1200;  // one NACK, RR + SDES, one transport-cc message
constexpr size_t kMaxNacksPerMessage = 64;
// Transport-cc messages per tick at most: a burst after a stall is reported over a few ticks.
constexpr int kMaxFeedbackPerTick = 4;
// Without NACKs, a gap waits only for packets reordered on the way.
constexpr int64_t kReorderOnlyDelayNs = 50'000'000;

}  // namespace

IngestStats& IngestStats::operator+=(const IngestStats& other) {
  packets += other.packets;
  bytes += other.bytes;
  rtx_packets += other.rtx_packets;
  unknown += other.unknown;
  malformed += other.malformed;
  nacks += other.nacks;
  recovered += other.recovered;
  given_up += other.given_up;
  plis += other.plis;
  firs += other.firs;
  feedback += other.feedback;
  reports += other.reports;
  return *this;
}

struct PublisherIngest::Track {
  Track(const IncomingTrack& incoming, const rtp::rtcp::NackGenerator::Options& nack_options,
        const rtp::ReorderBuffer::Options& reorder_options)
      : desc(incoming), nacks(nack_options), reorder(reorder_options) {}

  IncomingTrack desc;
  bool ssrc_known = false;
  bool rtx_known = false;
  std::optional<rtp::rtcp::ReceptionStats> reception;
  rtp::rtcp::NackGenerator nacks;
  rtp::ReorderBuffer reorder;
};

PublisherIngest::PublisherIngest(const PublishAnswer& answer, const Options& options,
                                 uint32_t our_ssrc, Output& output)
    : options_(options),
      our_ssrc_(our_ssrc),
      transport_cc_id_(answer.transport_cc_id),
      output_(output) {
  rtp::rtcp::NackGenerator::Options nack_options;
  nack_options.max_age_ns = options.max_delay_ns;
  // A retransmission takes a round trip, which a receiver does not measure: ask again at most
  // every 30 ms until the packet is given up.
  nack_options.min_interval_ns = 30'000'000;
  rtp::ReorderBuffer::Options reorder_options;
  for (const IncomingTrack& incoming : answer.tracks) {
    reorder_options.max_wait_ns =
        options.nack && incoming.nack ? options.max_delay_ns : kReorderOnlyDelayNs;
    auto track = std::make_unique<Track>(incoming, nack_options, reorder_options);
    track->ssrc_known = incoming.ssrc != 0;
    track->rtx_known = incoming.rtx_ssrc != 0;
    if (track->ssrc_known) {
      track->reception.emplace(incoming.ssrc, incoming.info.clock_rate);
    }
    tracks_.push_back(std::move(track));
  }
  if (transport_cc_id_ != 0) {
    feedback_ = std::make_unique<rtp::rtcp::TransportFeedbackRecorder>(
        rtp::rtcp::TransportFeedbackRecorder::Options{});
  }
}

PublisherIngest::~PublisherIngest() = default;

std::optional<size_t> PublisherIngest::TrackFor(const rtp::RtpView& packet, bool& rtx) {
  const uint32_t ssrc = packet.ssrc();
  const int payload_type = packet.payload_type();
  // A track's SSRC with another payload type (a codec the answer did not take) is not the
  // track's: its description would be wrong for every reader.
  for (size_t i = 0; i < tracks_.size(); ++i) {
    const Track& track = *tracks_[i];
    if (track.ssrc_known && track.desc.ssrc == ssrc) {
      if (payload_type != track.desc.info.payload_type) return std::nullopt;
      rtx = false;
      return i;
    }
    if (track.rtx_known && track.desc.rtx_ssrc == ssrc) {
      if (payload_type != track.desc.rtx_payload_type) return std::nullopt;
      rtx = true;
      return i;
    }
  }
  // An SSRC the offer did not name: the payload type tells the track, and the SSRC is its own
  // from now on (a publisher that announced none, or changed its own).
  for (size_t i = 0; i < tracks_.size(); ++i) {
    Track& track = *tracks_[i];
    if (track.desc.info.payload_type == payload_type) {
      track.desc.ssrc = ssrc;
      track.ssrc_known = true;
      track.reception.emplace(ssrc, track.desc.info.clock_rate);
      rtx = false;
      return i;
    }
    if (track.desc.rtx_payload_type == payload_type) {
      track.desc.rtx_ssrc = ssrc;
      track.rtx_known = true;
      rtx = true;
      return i;
    }
  }
  return std::nullopt;
}

bool PublisherIngest::OnRtp(std::span<uint8_t> bytes, int64_t now_ns) {
  std::optional<rtp::RtpView> packet = rtp::RtpView::Parse(bytes);
  if (!packet) {
    ++stats_.malformed;
    return false;
  }
  ++stats_.packets;
  stats_.bytes += bytes.size();
  if (feedback_ != nullptr) {
    if (std::optional<uint16_t> seq = rtp::ReadTransportSequence(*packet, transport_cc_id_)) {
      feedback_->OnPacket(*seq, now_ns);
      if (feedback_media_ssrc_ == 0) feedback_media_ssrc_ = packet->ssrc();
    }
  }
  bool rtx = false;
  std::optional<size_t> index = TrackFor(*packet, rtx);
  if (!index) {
    ++stats_.unknown;
    return false;
  }
  if (!rtx) {
    Receive(*index, *packet, now_ns);
    return true;
  }
  ++stats_.rtx_packets;
  const Track& track = *tracks_[*index];
  // RFC 4588 §4: the payload starts with the original sequence number; a packet without more is
  // a bandwidth probe, there for transport-cc only.
  std::span<const uint8_t> payload = packet->payload();
  if (payload.size() <= 2 || !track.ssrc_known) return true;
  const uint16_t original_seq = rtp::LoadBe16(payload.data());
  // The original packet, in place: the header moves up over the OSN and takes the media
  // stream's payload type, sequence number and SSRC.
  const size_t header = packet->header_size();
  uint8_t* p = bytes.data();
  memmove(p + 2, p, header);
  std::span<uint8_t> original = bytes.subspan(2);
  original[1] = static_cast<uint8_t>((original[1] & 0x80) | (track.desc.info.payload_type & 0x7F));
  rtp::StoreBe16(original.data() + 2, original_seq);
  rtp::StoreBe32(original.data() + 8, track.desc.ssrc);
  if (std::optional<rtp::RtpView> unwrapped = rtp::RtpView::Parse(original)) {
    Receive(*index, *unwrapped, now_ns);
  }
  return true;
}

void PublisherIngest::Receive(size_t index, const rtp::RtpView& packet, int64_t now_ns) {
  Track& track = *tracks_[index];
  const uint16_t seq = packet.sequence_number();
  if (track.reception) track.reception->OnPacket(seq, packet.timestamp(), now_ns);
  const size_t missing_before = track.nacks.missing();
  if (track.nacks.OnPacket(seq, now_ns) == rtp::rtcp::NackGenerator::Arrival::kTooFarAhead) {
    RequestKeyframe(index);  // a gap too long to repair
  }
  track.reorder.Push(packet, now_ns, [&](const rtp::RtpView& in_order) {
    output_.Deliver(index, in_order, now_ns);
  });
  // A new gap is asked for at once, not at the next tick.
  if (track.nacks.missing() > missing_before) SendNacks(track, now_ns);
}

void PublisherIngest::SendNacks(Track& track, int64_t now_ns) {
  if (!options_.nack || !track.desc.nack || !track.ssrc_known) return;
  uint16_t lost[kMaxNacksPerMessage];
  const size_t count = track.nacks.Collect(now_ns, 0, lost);
  if (count == 0) return;
  uint8_t buffer[kMaxRtcpBytes];
  const size_t size = rtp::rtcp::WriteNack(buffer, our_ssrc_, track.desc.ssrc,
                                           std::span<const uint16_t>(lost, count));
  if (size == 0) return;
  stats_.nacks += count;
  output_.SendRtcp(std::span<const uint8_t>(buffer, size));
}

void PublisherIngest::OnTick(int64_t now_ns) {
  for (size_t i = 0; i < tracks_.size(); ++i) {
    Track& track = *tracks_[i];
    SendNacks(track, now_ns);
    track.reorder.Flush(
        now_ns, [&](const rtp::RtpView& in_order) { output_.Deliver(i, in_order, now_ns); });
  }
  // Transport-cc every other tick (50 ms), as browsers send it.
  if (feedback_ != nullptr && ++ticks_ % 2 == 0) {
    uint8_t buffer[kMaxRtcpBytes];
    for (int i = 0; i < kMaxFeedbackPerTick; ++i) {
      const size_t size = feedback_->WriteFeedback(buffer, our_ssrc_, feedback_media_ssrc_);
      if (size == 0) break;
      ++stats_.feedback;
      output_.SendRtcp(std::span<const uint8_t>(buffer, size));
    }
  }
}

void PublisherIngest::OnSenderReport(uint32_t ssrc, uint64_t ntp_timestamp, int64_t now_ns) {
  for (auto& track : tracks_) {
    if (track->reception && track->desc.ssrc == ssrc) {
      track->reception->OnSenderReport(ntp_timestamp, now_ns);
    }
  }
}

void PublisherIngest::SendReports(int64_t now_ns) {
  rtp::rtcp::ReportBlock blocks[8];
  size_t count = 0;
  for (auto& track : tracks_) {
    if (count == std::size(blocks) || !track->reception) continue;
    if (std::optional<rtp::rtcp::ReportBlock> block = track->reception->MakeReportBlock(now_ns)) {
      blocks[count++] = *block;
    }
  }
  uint8_t buffer[kMaxRtcpBytes];
  size_t size = rtp::rtcp::WriteReceiverReport(
      buffer, our_ssrc_, std::span<const rtp::rtcp::ReportBlock>(blocks, count));
  if (size == 0) return;
  size += rtp::rtcp::WriteSdesCname(std::span<uint8_t>(buffer).subspan(size), our_ssrc_,
                                    options_.cname);
  ++stats_.reports;
  output_.SendRtcp(std::span<const uint8_t>(buffer, size));
}

IngestStats PublisherIngest::stats() const {
  IngestStats stats = stats_;
  for (const auto& track : tracks_) {
    stats.recovered += track->nacks.recovered();
    stats.given_up += track->reorder.given_up();
  }
  return stats;
}

bool PublisherIngest::RequestKeyframe(size_t index) {
  if (index >= tracks_.size()) return false;
  const Track& track = *tracks_[index];
  if (!track.ssrc_known) return false;
  uint8_t buffer[64];
  size_t size = 0;
  if (track.desc.pli) {
    size = rtp::rtcp::WritePli(buffer, our_ssrc_, track.desc.ssrc);
    ++stats_.plis;
  } else if (track.desc.fir) {
    const rtp::rtcp::FirEntry entry{.ssrc = track.desc.ssrc, .seq_nr = fir_seq_++};
    size = rtp::rtcp::WriteFir(buffer, our_ssrc_, std::span<const rtp::rtcp::FirEntry>(&entry, 1));
    ++stats_.firs;
  }
  if (size == 0) return false;
  output_.SendRtcp(std::span<const uint8_t>(buffer, size));
  return true;
}

}  // namespace ringcast::net::webrtc
