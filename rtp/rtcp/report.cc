#include "rtp/rtcp/report.h"

#include <time.h>

#include "core/check.h"
#include "rtp/byte_io.h"

namespace ringcast::rtp::rtcp {
namespace {

constexpr int32_t kMaxCumulativeLost = 0x7FFFFF;
constexpr int32_t kMinCumulativeLost = -0x800000;

int64_t ReadClockNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

ReportBlock ReadReportBlock(const uint8_t* p) {
  ReportBlock block;
  block.ssrc = LoadBe32(p);
  block.fraction_lost = p[4];
  // 24-bit two's complement: sign-extend.
  const uint32_t lost = LoadBe24(p + 5);
  block.cumulative_lost =
      (lost & 0x800000) != 0 ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  block.extended_highest_seq = LoadBe32(p + 8);
  block.jitter = LoadBe32(p + 12);
  block.last_sr = LoadBe32(p + 16);
  block.delay_since_last_sr = LoadBe32(p + 20);
  return block;
}

void WriteReportBlock(uint8_t* p, const ReportBlock& block) {
  StoreBe32(p, block.ssrc);
  int32_t lost = block.cumulative_lost;
  if (lost > kMaxCumulativeLost) lost = kMaxCumulativeLost;
  if (lost < kMinCumulativeLost) lost = kMinCumulativeLost;
  const uint32_t wire = static_cast<uint32_t>(lost) & 0xFFFFFF;
  StoreBe32(p + 4, (uint32_t{block.fraction_lost} << 24) | wire);
  StoreBe32(p + 8, block.extended_highest_seq);
  StoreBe32(p + 12, block.jitter);
  StoreBe32(p + 16, block.last_sr);
  StoreBe32(p + 20, block.delay_since_last_sr);
}

std::optional<SenderReportView> SenderReportView::Parse(const Block& block) {
  if (block.packet_type() != kPacketTypeSr) return std::nullopt;
  const std::span<const uint8_t> body = block.body();
  const size_t count = block.count();
  if (body.size() < 4 + kSenderInfoSize + count * kReportBlockSize) return std::nullopt;
  return SenderReportView(body, count);
}

uint32_t SenderReportView::sender_ssrc() const { return LoadBe32(body_.data()); }

SenderInfo SenderReportView::sender_info() const {
  const uint8_t* p = body_.data() + 4;
  SenderInfo info;
  info.ntp_timestamp = (uint64_t{LoadBe32(p)} << 32) | LoadBe32(p + 4);
  info.rtp_timestamp = LoadBe32(p + 8);
  info.packet_count = LoadBe32(p + 12);
  info.octet_count = LoadBe32(p + 16);
  return info;
}

ReportBlock SenderReportView::report_block(size_t i) const {
  DCHECK(i < report_count_);
  return ReadReportBlock(body_.data() + 4 + kSenderInfoSize + i * kReportBlockSize);
}

std::optional<ReceiverReportView> ReceiverReportView::Parse(const Block& block) {
  if (block.packet_type() != kPacketTypeRr) return std::nullopt;
  const std::span<const uint8_t> body = block.body();
  const size_t count = block.count();
  if (body.size() < 4 + count * kReportBlockSize) return std::nullopt;
  return ReceiverReportView(body, count);
}

uint32_t ReceiverReportView::sender_ssrc() const { return LoadBe32(body_.data()); }

ReportBlock ReceiverReportView::report_block(size_t i) const {
  DCHECK(i < report_count_);
  return ReadReportBlock(body_.data() + 4 + i * kReportBlockSize);
}

size_t WriteSenderReport(std::span<uint8_t> out, uint32_t sender_ssrc, const SenderInfo& info,
                         std::span<const ReportBlock> blocks) {
  if (blocks.size() > kMaxCount) return 0;
  const size_t size = kHeaderSize + 4 + kSenderInfoSize + blocks.size() * kReportBlockSize;
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteHeader(p, static_cast<uint8_t>(blocks.size()), kPacketTypeSr, size);
  StoreBe32(p + 4, sender_ssrc);
  StoreBe32(p + 8, static_cast<uint32_t>(info.ntp_timestamp >> 32));
  StoreBe32(p + 12, static_cast<uint32_t>(info.ntp_timestamp));
  StoreBe32(p + 16, info.rtp_timestamp);
  StoreBe32(p + 20, info.packet_count);
  StoreBe32(p + 24, info.octet_count);
  for (size_t i = 0; i < blocks.size(); ++i) {
    WriteReportBlock(p + 28 + i * kReportBlockSize, blocks[i]);
  }
  return size;
}

size_t WriteReceiverReport(std::span<uint8_t> out, uint32_t sender_ssrc,
                           std::span<const ReportBlock> blocks) {
  if (blocks.size() > kMaxCount) return 0;
  const size_t size = kHeaderSize + 4 + blocks.size() * kReportBlockSize;
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteHeader(p, static_cast<uint8_t>(blocks.size()), kPacketTypeRr, size);
  StoreBe32(p + 4, sender_ssrc);
  for (size_t i = 0; i < blocks.size(); ++i) {
    WriteReportBlock(p + 8 + i * kReportBlockSize, blocks[i]);
  }
  return size;
}

std::optional<uint32_t> RoundTripCompact(uint32_t arrival_ntp_middle32, const ReportBlock& block) {
  if (block.last_sr == 0) return std::nullopt;
  const uint32_t rtt = arrival_ntp_middle32 - block.last_sr - block.delay_since_last_sr;
  if (rtt >= 0x80000000u) return std::nullopt;
  return rtt;
}

std::optional<uint32_t> RoundTripMs(uint32_t arrival_ntp_middle32, const ReportBlock& block) {
  const std::optional<uint32_t> compact = RoundTripCompact(arrival_ntp_middle32, block);
  if (!compact) return std::nullopt;
  return static_cast<uint32_t>((uint64_t{*compact} * 1000 + 32768) >> 16);
}

uint64_t UnixNanosToNtp(int64_t unix_ns) {
  if (unix_ns < 0) unix_ns = 0;  // before 1970: not a clock this daemon runs on
  const int64_t seconds = unix_ns / 1'000'000'000;
  const int64_t nanos = unix_ns % 1'000'000'000;
  const uint64_t ntp_seconds = static_cast<uint64_t>(seconds) + kNtpUnixEpochOffsetSeconds;
  const uint64_t fraction = (static_cast<uint64_t>(nanos) << 32) / 1'000'000'000;
  return (ntp_seconds << 32) | fraction;
}

NtpClock NtpClock::Now() {
  return NtpClock(ReadClockNs(CLOCK_REALTIME), ReadClockNs(CLOCK_MONOTONIC));
}

uint64_t NtpClock::NowNtp() const { return ToNtp(ReadClockNs(CLOCK_MONOTONIC)); }

}  // namespace ringcast::rtp::rtcp
