// RTCP Sender Report (PT 200) and Receiver Report (PT 201), RFC 3550 §6.4: views over received
// blocks, writers into caller buffers, and the NTP-time / round-trip helpers that go with them.
//
// Ownership: SenderReportView / ReceiverReportView point into the Block's bytes (see
// compound.h) and are valid only while those are. Report blocks are returned by value. Writers
// write into a caller's buffer (a send slot) and return the bytes written, or 0 if the report
// does not fit; nothing is allocated. Parsers run on untrusted bytes: std::nullopt for anything
// malformed. Plain values; NtpClock is a value too and may be copied to any thread.
#ifndef RINGCAST_RTP_RTCP_REPORT_H_
#define RINGCAST_RTP_RTCP_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {

inline constexpr size_t kReportBlockSize = 24;
inline constexpr size_t kSenderInfoSize = 20;

// RFC 3550 §6.4.1: one reception report block.
struct ReportBlock {
  uint32_t ssrc = 0;                  // the source this block reports on
  uint8_t fraction_lost = 0;          // fixed point, /256, since the previous report
  int32_t cumulative_lost = 0;        // 24-bit signed on the wire: -8388608..8388607 (clamped)
  uint32_t extended_highest_seq = 0;  // cycles << 16 | highest sequence number
  uint32_t jitter = 0;                // interarrival jitter, RTP timestamp units
  uint32_t last_sr = 0;  // LSR: middle 32 bits of the last SR's NTP timestamp; 0 if none
  uint32_t delay_since_last_sr = 0;  // DLSR, units of 1/65536 s

  friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};

// RFC 3550 §6.4.1: the sender information of an SR.
struct SenderInfo {
  uint64_t ntp_timestamp = 0;  // 32.32 fixed point seconds since 1900
  uint32_t rtp_timestamp = 0;  // the same instant in the media clock
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;  // payload octets

  friend bool operator==(const SenderInfo&, const SenderInfo&) = default;
};

// Reads a report block from 24 bytes at `p` (the caller bounds-checks).
ReportBlock ReadReportBlock(const uint8_t* p);
// Writes one at `p` (24 bytes); cumulative_lost is clamped to the 24-bit signed range.
void WriteReportBlock(uint8_t* p, const ReportBlock& block);

// A validated Sender Report: SSRC, sender info and RC report blocks present. Profile-specific
// extension bytes after the report blocks are allowed and ignored (RFC 3550 §6.4.1).
class SenderReportView {
 public:
  static std::optional<SenderReportView> Parse(const Block& block);

  uint32_t sender_ssrc() const;
  SenderInfo sender_info() const;
  size_t report_count() const { return report_count_; }
  // i < report_count() (DCHECKed).
  ReportBlock report_block(size_t i) const;

 private:
  explicit SenderReportView(std::span<const uint8_t> body, size_t count)
      : body_(body), report_count_(count) {}
  std::span<const uint8_t> body_;
  size_t report_count_ = 0;
};

// A validated Receiver Report: SSRC and RC report blocks present.
class ReceiverReportView {
 public:
  static std::optional<ReceiverReportView> Parse(const Block& block);

  uint32_t sender_ssrc() const;
  size_t report_count() const { return report_count_; }
  ReportBlock report_block(size_t i) const;

 private:
  explicit ReceiverReportView(std::span<const uint8_t> body, size_t count)
      : body_(body), report_count_(count) {}
  std::span<const uint8_t> body_;
  size_t report_count_ = 0;
};

// Write an SR (28 + 24 × blocks bytes) / RR (8 + 24 × blocks) at the start of `out`. Return the
// size, or 0 if it does not fit or there are more than 31 blocks.
size_t WriteSenderReport(std::span<uint8_t> out, uint32_t sender_ssrc, const SenderInfo& info,
                         std::span<const ReportBlock> blocks);
size_t WriteReceiverReport(std::span<uint8_t> out, uint32_t sender_ssrc,
                           std::span<const ReportBlock> blocks);

// The middle 32 bits of a 64-bit NTP timestamp: the "compact" form of LSR (RFC 3550 §6.4.1).
constexpr uint32_t NtpMiddle32(uint64_t ntp) { return static_cast<uint32_t>(ntp >> 16); }

// RFC 3550 §6.4.1: round-trip time = A - LSR - DLSR, where A is the arrival time of the report
// in compact NTP form, all in units of 1/65536 s (modulo 2^32). std::nullopt if the block has
// no LSR (0: no SR received yet) or the result is "negative" (more than half the 32-bit space,
// i.e. clocks or DLSR are inconsistent).
std::optional<uint32_t> RoundTripCompact(uint32_t arrival_ntp_middle32, const ReportBlock& block);
// The same in milliseconds, rounded to nearest.
std::optional<uint32_t> RoundTripMs(uint32_t arrival_ntp_middle32, const ReportBlock& block);

// NTP timestamps (seconds since 1900-01-01, 32.32 fixed point) from CLOCK_REALTIME nanoseconds.
inline constexpr uint64_t kNtpUnixEpochOffsetSeconds = 2208988800u;  // 1900 → 1970
uint64_t UnixNanosToNtp(int64_t unix_ns);

// Maps CLOCK_MONOTONIC to NTP time: sampled once (a realtime/monotonic pair), then every SR of a
// session stamps its NTP time from the monotonic clock, so a wall-clock step does not make the
// reports jump. Construct with Now() on the worker at session start; a test constructs it from
// fixed values.
class NtpClock {
 public:
  NtpClock(int64_t realtime_ns, int64_t monotonic_ns)
      : realtime_ns_(realtime_ns), monotonic_ns_(monotonic_ns) {}
  // Samples CLOCK_REALTIME and CLOCK_MONOTONIC now.
  static NtpClock Now();

  // The NTP time of a CLOCK_MONOTONIC instant.
  uint64_t ToNtp(int64_t monotonic_ns) const {
    return UnixNanosToNtp(realtime_ns_ + (monotonic_ns - monotonic_ns_));
  }
  // NTP time now (reads CLOCK_MONOTONIC).
  uint64_t NowNtp() const;

 private:
  int64_t realtime_ns_;
  int64_t monotonic_ns_;
};

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_REPORT_H_
