// Fuzz target for net/webrtc/publisher_ingest: what a WHIP publisher sends once SRTP is off —
// media, RTX retransmissions and probes, packets of unknown SSRCs and payload types, junk — into
// the ingest of a Chromium-like answer (Opus 111; H.264 102 with RTX 103; transport-cc id 3; no
// SSRCs announced, so they are learned), with its timer, reports and keyframe requests between.
//
// The input is a list of records: a length byte L, a flags byte (bits 0-2: milliseconds to
// advance × 8; bit 3: a tick; bit 4: receiver reports; bit 5: a keyframe request; bit 6: rewrite
// the payload type to 103, bit 7 to 111), then L bytes of packet. Properties checked: every packet
// delivered to a track parses, has that track's payload type and, between SSRC changes, strictly
// increasing sequence numbers (wrap-aware) but for a restart's jump back; every RTCP message parses
// as whole blocks and fits a datagram. Seeds (corpus/publisher_ingest): hand-made records in the
// layout of Chromium's packets (tests/data/sdp/chromium_whip_offer.sdp's extension ids) — in order,
// a gap filled by RTX, a probe, a stray SSRC.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/webrtc/publisher_ingest.h"
#include "rtp/reorder_buffer.h"
#include "rtp/rtcp/compound.h"
#include "rtp/seq_num.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ringcast::net::webrtc::IncomingTrack;
using ringcast::net::webrtc::PublishAnswer;
using ringcast::net::webrtc::PublisherIngest;

PublishAnswer Answer() {
  PublishAnswer answer;
  IncomingTrack audio;
  audio.info.media = "audio";
  audio.info.encoding_name = "opus";
  audio.info.payload_type = 111;
  audio.info.clock_rate = 48000;
  IncomingTrack video;
  video.info.media = "video";
  video.info.encoding_name = "H264";
  video.info.payload_type = 102;
  video.info.clock_rate = 90000;
  video.rtx_payload_type = 103;
  video.nack = video.pli = true;
  answer.tracks = {audio, video};
  answer.transport_cc_id = 3;
  return answer;
}

class Checker : public PublisherIngest::Output {
 public:
  void Deliver(size_t track, const ringcast::rtp::RtpView& packet, int64_t) override {
    FUZZ_CHECK(track < 2);
    FUZZ_CHECK(ringcast::rtp::RtpView::Parse(packet.packet()).has_value());
    FUZZ_CHECK(packet.payload_type() == (track == 0 ? 111 : 102));
    Last& last = last_[track];
    if (last.seen && last.ssrc == packet.ssrc() &&
        !ringcast::rtp::IsNewerSeq(packet.sequence_number(), last.seq)) {
      // Only a sender that restarted its numbering goes back, and then by more than the Track
      // itself takes for a restart (rtp/reorder_buffer.h, rtp/track.h).
      const uint16_t back = static_cast<uint16_t>(last.seq - packet.sequence_number());
      FUZZ_CHECK(back > ringcast::rtp::ReorderBuffer::kRestartJump);
    }
    last = {true, packet.ssrc(), packet.sequence_number()};
  }
  void SendRtcp(std::span<const uint8_t> rtcp) override {
    FUZZ_CHECK(!rtcp.empty() && rtcp.size() <= 1200);
    ringcast::rtp::rtcp::CompoundReader reader(rtcp);
    while (reader.Next()) {
    }
    FUZZ_CHECK(!reader.malformed());
  }

 private:
  struct Last {
    bool seen = false;
    uint32_t ssrc = 0;
    uint16_t seq = 0;
  };
  Last last_[2];
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Checker checker;
  PublisherIngest ingest(Answer(), {.nack = true, .max_delay_ns = 200'000'000, .cname = "f"},
                         0x1234, checker);
  int64_t now = 1'000'000'000;
  std::vector<uint8_t> packet;
  size_t at = 0;
  while (at + 2 <= size) {
    const size_t length = data[at];
    const uint8_t flags = data[at + 1];
    at += 2;
    const size_t take = length < size - at ? length : size - at;
    packet.assign(data + at, data + at + take);
    at += take;
    now += static_cast<int64_t>(flags & 7) * 8'000'000;
    if (packet.size() >= 2 && (flags & 0xC0) != 0) {
      packet[1] = static_cast<uint8_t>((packet[1] & 0x80) | ((flags & 0x40) ? 103 : 111));
    }
    ingest.OnRtp(packet, now);
    if (flags & 8) ingest.OnTick(now);
    if (flags & 16) ingest.SendReports(now);
    if (flags & 32) ingest.RequestKeyframe(flags & 1);
  }
  return 0;
}
