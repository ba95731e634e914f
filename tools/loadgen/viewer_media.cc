// The per-packet half of Viewer (viewer.h): RTP accounting and sampled verification, SRTCP
// sender reports, and the receiver reports and NACKs we send back.
#include <sys/socket.h>

#include <algorithm>

#include "core/clock.h"
#include "rtp/byte_io.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/keyframe.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/feedback.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtcp/sdes.h"
#include "rtp/rtp_packet.h"
#include "tools/loadgen/viewer.h"

namespace ringcast::loadgen {
namespace {

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Read32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

void Viewer::OnRtp(std::span<uint8_t> bytes) {
  if (state_ != State::kMedia) return;
  // The fixed header is cleartext (RFC 3711 §3.1): count by it without decrypting.
  const uint16_t seq = Read16(&bytes[2]);
  const uint32_t ssrc = Read32(&bytes[8]);
  if (media_ssrc_ == 0) media_ssrc_ = ssrc;  // an answer without a=ssrc: take the first
  if (ssrc != media_ssrc_ || (bytes[1] & 0x7F) != answer_.payload_type) {
    ++counts_.foreign;
    return;
  }
  if (env_.simulate_loss_one_in > 0 &&
      ++rtp_received_ % static_cast<uint64_t>(env_.simulate_loss_one_in) == 0) {
    ++counts_.dropped_on_purpose;  // as if the network lost it: the NACK path must recover it
    return;
  }
  const int64_t now = core::NowNs();
  seq_.OnPacket(seq, now);
  counts_.bytes += bytes.size();
  if (counts_.migrations > 0) ++counts_.packets_after_migration;

  // Decrypt every packet until the first keyframe, then one in K.
  const bool verify =
      !keyframe_seen_ || (++sample_ % static_cast<uint64_t>(env_.verify_one_in)) == 0;
  if (!verify) return;
  size_t length = bytes.size();
  const crypto::SrtpResult result = srtp_in_->Unprotect(bytes, length);
  if (result == crypto::SrtpResult::kReplayed || result == crypto::SrtpResult::kTooOld) {
    return;  // a retransmission or duplicate: the sequence accounting has it
  }
  if (result != crypto::SrtpResult::kOk) {
    ++counts_.verify_failed;
    return;
  }
  const std::optional<rtp::RtpView> view = rtp::RtpView::Parse(bytes.first(length));
  if (!view) {
    ++counts_.verify_failed;
    return;
  }
  ++counts_.verified;
  if (!keyframe_seen_ && rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, view->payload())) {
    keyframe_seen_ = true;
    first_keyframe_ms_ = static_cast<double>(now - answer_ns_) / core::kNsPerMs;
  }
}

void Viewer::OnRtcp(std::span<uint8_t> bytes) {
  if (state_ != State::kMedia) return;
  size_t length = bytes.size();
  if (srtp_in_->UnprotectRtcp(bytes, length) != crypto::SrtpResult::kOk) {
    ++counts_.rtcp_failed;
    return;
  }
  rtp::rtcp::CompoundReader reader(bytes.first(length));
  while (std::optional<rtp::rtcp::Block> block = reader.Next()) {
    if (block->packet_type() == rtp::rtcp::kPacketTypeSr) {
      if (auto sr = rtp::rtcp::SenderReportView::Parse(*block)) {
        ++counts_.srs;
        last_sr_ = rtp::rtcp::NtpMiddle32(sr->sender_info().ntp_timestamp);
        last_sr_ns_ = core::NowNs();
      }
    } else if (block->packet_type() == rtp::rtcp::kPacketTypeBye) {
      Fail("rtcp: server sent BYE");
      return;
    }
  }
}

void Viewer::SendRtcp(std::span<uint8_t> buffer, size_t length) {
  if (srtp_out_->ProtectRtcp(buffer, length) != crypto::SrtpResult::kOk) return;
  SendTo(buffer.first(length));
}

void Viewer::OnNackTick(int64_t now_ns) {
  if (state_ != State::kMedia || !seq_.has_missing()) return;
  uint16_t lost[64];
  const size_t n = seq_.CollectNacks(now_ns, lost);
  if (n == 0) return;
  uint8_t buffer[12 + 64 * 4 + crypto::kSrtcpMaxOverhead];
  const size_t size =
      rtp::rtcp::WriteNack(std::span(buffer, sizeof(buffer) - crypto::kSrtcpMaxOverhead), ssrc_,
                           media_ssrc_, std::span<const uint16_t>(lost, n));
  if (size == 0) return;
  seq_.CountNack(n);
  SendRtcp(buffer, size);
}

void Viewer::OnAttackTick() {
  if (state_ != State::kMedia || !seq_.started()) return;
  const uint32_t highest = seq_.extended_highest();
  uint16_t seqs[1000];
  size_t n = 0;
  if (env_.nack_attack == NackAttack::kAll) {
    for (uint32_t i = 0; i < 1000; ++i) seqs[n++] = static_cast<uint16_t>(highest - 999 + i);
  } else {
    // Numbers the server did send: 100 behind the newest once there are that many.
    if (attack_base_ == 0) {
      if (seq_.counts().packets < 120) return;
      attack_base_ = highest - 100;
    }
    for (uint32_t i = 0; i < 17; ++i) seqs[n++] = static_cast<uint16_t>(attack_base_ + i);
  }
  const std::span<const uint16_t> lost(seqs, n);
  std::vector<uint8_t> buffer(12 + 4 * rtp::rtcp::NackItemCount(lost) + crypto::kSrtcpMaxOverhead);
  const size_t size =
      rtp::rtcp::WriteNack(std::span(buffer.data(), buffer.size() - crypto::kSrtcpMaxOverhead),
                           ssrc_, media_ssrc_, lost);
  if (size == 0) return;
  ++counts_.attack_nacks;
  counts_.attack_seqs += n;
  SendRtcp(buffer, size);
}

// RFC 3550 §6.4.2 RR with one report block for the server's video SSRC, then SDES CNAME
// (§6.1: every compound carries one).
void Viewer::SendReceiverReport(int64_t now_ns) {
  if (state_ != State::kMedia || !seq_.started()) return;
  const uint64_t expected = seq_.expected();
  const uint64_t received = seq_.counts().packets;
  const uint64_t expected_interval = expected - rr_expected_prior_;
  const uint64_t received_interval = received - rr_received_prior_;
  rr_expected_prior_ = expected;
  rr_received_prior_ = received;
  rtp::rtcp::ReportBlock block;
  block.ssrc = media_ssrc_;
  if (expected_interval > received_interval && expected_interval > 0) {
    block.fraction_lost =
        static_cast<uint8_t>(((expected_interval - received_interval) << 8) / expected_interval);
  }
  block.cumulative_lost = static_cast<int32_t>(std::clamp<int64_t>(
      static_cast<int64_t>(expected) - static_cast<int64_t>(received), -8388608, 8388607));
  block.extended_highest_seq = seq_.extended_highest();
  if (last_sr_ != 0) {
    block.last_sr = last_sr_;
    block.delay_since_last_sr =
        static_cast<uint32_t>((now_ns - last_sr_ns_) * 65536 / core::kNsPerSec);
  }
  uint8_t buffer[256];
  const std::span<uint8_t> out(buffer, sizeof(buffer) - crypto::kSrtcpMaxOverhead);
  size_t size = rtp::rtcp::WriteReceiverReport(out, ssrc_, std::span(&block, 1));
  if (size == 0) return;
  size += rtp::rtcp::WriteSdesCname(out.subspan(size), ssrc_, "ringcast-loadgen");
  ++counts_.rrs_sent;
  SendRtcp(buffer, size);
}

}  // namespace ringcast::loadgen
