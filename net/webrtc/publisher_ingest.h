// PublisherIngest: the receiving half of a WHIP publisher's session — what happens to its RTP
// once SRTP is off, and the RTCP a good receiver sends back.
//
//   RTP ─▶ OnRtp: by SSRC (or payload type) to its track; RTX unwrapped in place (RFC 4588 §4)
//            ├─ transport-wide sequence number ─▶ TransportFeedbackRecorder
//            ├─ ReceptionStats (receiver reports), NackGenerator (gaps)
//            └─ ReorderBuffer: in order at once, after a gap once the retransmission came or
//               webrtc.whip_max_delay_ms passed ─▶ Output::Deliver (the path's Track)
//   OnTick (every kTickNs): NACKs due, gaps given up, transport-cc feedback (every other tick)
//   SendReports (every second): RR + SDES;  RequestKeyframe: PLI (or FIR)
//
// A track's SSRC comes from the offer's a=ssrc lines, or, when it has none, from the first packet
// of the track's payload type. Packets of other SSRCs and payload types are counted and dropped.
//
// Ownership and threads: owned by the WebRtcSession of a publisher; its worker thread only. The
// packets handed in are the receive buffer's (mutable: RTX is unwrapped in place), valid during
// the call.
#ifndef RINGCAST_NET_WEBRTC_PUBLISHER_INGEST_H_
#define RINGCAST_NET_WEBRTC_PUBLISHER_INGEST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/webrtc/publish_answer.h"
#include "rtp/reorder_buffer.h"
#include "rtp/rtcp/nack_generator.h"
#include "rtp/rtcp/reception_stats.h"
#include "rtp/rtcp/transport_feedback_recorder.h"
#include "rtp/rtp_packet.h"

namespace ringcast::net::webrtc {

// Figures of one publisher, summed into stats.webrtc.publisher_*.
struct IngestStats {
  uint64_t packets = 0;      // RTP packets taken (media and RTX)
  uint64_t bytes = 0;        // their bytes, after SRTP
  uint64_t rtx_packets = 0;  // of which retransmissions or probes on RTX
  uint64_t unknown = 0;      // of an SSRC or payload type no track has
  uint64_t malformed = 0;    // not RTP once unprotected
  uint64_t nacks = 0;        // sequence numbers asked for again
  uint64_t recovered = 0;    // missing packets that came after being asked for
  uint64_t given_up = 0;     // missing sequence numbers passed on without their packet
  uint64_t plis = 0;
  uint64_t firs = 0;
  uint64_t feedback = 0;  // transport-cc messages
  uint64_t reports = 0;   // receiver reports

  IngestStats& operator+=(const IngestStats& other);
};

class PublisherIngest {
 public:
  // Where packets and RTCP go (the session).
  class Output {
   public:
    // A packet of track `track` (IncomingTrack order), in sequence: for the path's Track.
    virtual void Deliver(size_t track, const rtp::RtpView& packet, int64_t now_ns) = 0;
    // A compound RTCP packet for the publisher, to be protected and sent.
    virtual void SendRtcp(std::span<const uint8_t> rtcp) = 0;

   protected:
    ~Output() = default;
  };

  struct Options {
    bool nack = true;  // the answer has rtcp-fb nack (and webrtc.whip_nack)
    int64_t max_delay_ns = 200'000'000;
    std::string cname;
  };

  static constexpr int64_t kTickNs = 25'000'000;

  PublisherIngest(const PublishAnswer& answer, const Options& options, uint32_t our_ssrc,
                  Output& output);
  ~PublisherIngest();

  // An RTP packet, SRTP removed. False when it was dropped: malformed, or of an SSRC or payload
  // type no track has.
  bool OnRtp(std::span<uint8_t> packet, int64_t now_ns);
  // An SR of the publisher's (its NTP time becomes LSR in our reports).
  void OnSenderReport(uint32_t ssrc, uint64_t ntp_timestamp, int64_t now_ns);
  // The periodic work (NACKs, gaps given up, transport-cc).
  void OnTick(int64_t now_ns);
  // RR for every track that has received, and SDES CNAME.
  void SendReports(int64_t now_ns);
  // Asks the publisher for a keyframe on `track` (PLI, else FIR if that is what it allows);
  // false when nothing was sent (an audio track, an SSRC not known yet).
  bool RequestKeyframe(size_t track);

  // The counters, with the tracks' NACK generators' and reorder buffers' own summed in.
  IngestStats stats() const;
  size_t track_count() const { return tracks_.size(); }

 private:
  struct Track;
  // The track `packet` belongs to, and whether it came on the track's RTX stream.
  std::optional<size_t> TrackFor(const rtp::RtpView& packet, bool& rtx);
  void Receive(size_t index, const rtp::RtpView& packet, int64_t now_ns);
  void SendNacks(Track& track, int64_t now_ns);

  std::vector<std::unique_ptr<Track>> tracks_;
  Options options_;
  uint32_t our_ssrc_;
  uint8_t transport_cc_id_;
  Output& output_;
  std::unique_ptr<rtp::rtcp::TransportFeedbackRecorder> feedback_;
  uint32_t feedback_media_ssrc_ = 0;
  uint64_t ticks_ = 0;
  uint8_t fir_seq_ = 0;
  IngestStats stats_;  // recovered and given_up are counted by the tracks (stats())
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_PUBLISHER_INGEST_H_
