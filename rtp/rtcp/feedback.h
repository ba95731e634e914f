// RTCP feedback messages (RFC 4585 §6.1) that a WebRTC server acts on: generic NACK (RTPFB
// FMT 1, RFC 4585 §6.2.1), Picture Loss Indication (PSFB FMT 1, §6.3.1) and Full Intra Request
// (PSFB FMT 4, RFC 5104 §4.3.1) — views over received blocks and writers.
//
// Ownership: the views point into the Block's bytes (see compound.h) and are valid only while
// those are. Writers write into a caller's buffer and return the bytes written, or 0 if the
// message does not fit; nothing is allocated. Untrusted input: std::nullopt for anything
// malformed. Plain values, any thread.
#ifndef RINGCAST_RTP_RTCP_FEEDBACK_H_
#define RINGCAST_RTP_RTCP_FEEDBACK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {

inline constexpr uint8_t kFmtNack = 1;             // RTPFB
inline constexpr uint8_t kFmtPli = 1;              // PSFB
inline constexpr uint8_t kFmtFir = 4;              // PSFB
inline constexpr size_t kFeedbackHeaderSize = 12;  // common header + 2 SSRCs
inline constexpr size_t kNackItemSize = 4;
inline constexpr size_t kFirEntrySize = 8;

// RFC 4585 §6.1: any RTPFB / PSFB message — sender SSRC, media source SSRC and the FCI.
class FeedbackView {
 public:
  // PT 205 or 206 with at least the two SSRCs.
  static std::optional<FeedbackView> Parse(const Block& block);

  uint8_t packet_type() const { return packet_type_; }
  uint8_t fmt() const { return fmt_; }
  uint32_t sender_ssrc() const;
  uint32_t media_ssrc() const;
  // Feedback control information after the two SSRCs (padding excluded).
  std::span<const uint8_t> fci() const { return body_.subspan(8); }

  bool is_nack() const { return packet_type_ == kPacketTypeRtpfb && fmt_ == kFmtNack; }
  bool is_pli() const { return packet_type_ == kPacketTypePsfb && fmt_ == kFmtPli; }
  bool is_fir() const { return packet_type_ == kPacketTypePsfb && fmt_ == kFmtFir; }

 private:
  FeedbackView(std::span<const uint8_t> body, uint8_t packet_type, uint8_t fmt)
      : body_(body), packet_type_(packet_type), fmt_(fmt) {}
  std::span<const uint8_t> body_;
  uint8_t packet_type_ = 0;
  uint8_t fmt_ = 0;
};

// One NACK FCI entry: packet ID and bitmask of following lost packets. Bit i (LSB = 0) of blp
// set means pid + i + 1 is lost too (RFC 4585 §6.2.1).
struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;
};

// Visits the lost sequence numbers of a NACK in FCI order (pid, then blp bits low to high, per
// item). Numbers wrap modulo 2^16; a number reported twice (overlapping items) is returned twice.
class NackSeqReader {
 public:
  explicit NackSeqReader(std::span<const uint8_t> fci) : fci_(fci) {}
  std::optional<uint16_t> Next();

 private:
  std::span<const uint8_t> fci_;
  size_t item_ = 0;
  int bit_ = -1;  // -1: the pid itself is next
};

// A generic NACK: FeedbackView::is_nack() with a non-empty FCI that is whole items.
class NackView {
 public:
  static std::optional<NackView> Parse(const Block& block);

  uint32_t sender_ssrc() const { return feedback_.sender_ssrc(); }
  uint32_t media_ssrc() const { return feedback_.media_ssrc(); }
  size_t item_count() const { return feedback_.fci().size() / kNackItemSize; }
  NackItem item(size_t i) const;  // i < item_count() (DCHECKed)
  NackSeqReader lost() const { return NackSeqReader(feedback_.fci()); }

 private:
  explicit NackView(const FeedbackView& feedback) : feedback_(feedback) {}
  FeedbackView feedback_;
};

// Writes a generic NACK for `lost` (in wrap-aware ascending order, e.g. 65530 … 65535, 0 … 5):
// each number that lies 1..16 after the current item's pid goes into its bitmask, any other
// starts a new item; a repeated number is skipped. Any order yields a correct NACK, ascending
// order the smallest. Returns the size, or 0 if `lost` is empty or the NACK does not fit.
size_t WriteNack(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                 std::span<const uint16_t> lost);
// How many FCI items WriteNack would use for `lost` (for sizing the buffer: 12 + 4 × items).
size_t NackItemCount(std::span<const uint16_t> lost);

// PLI: no FCI. Parse accepts any PSFB FMT 1 (extra FCI bytes are ignored).
struct PliView {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  static std::optional<PliView> Parse(const Block& block);
};
size_t WritePli(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc);

// RFC 5104 §4.3.1.1: one FIR entry — the SSRC asked for a decoder refresh and the command
// sequence number (incremented by the sender per new request, modulo 256).
struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t seq_nr = 0;
};

// A FIR: PSFB FMT 4 with one or more 8-byte entries. The media-source SSRC field is unused
// (§4.3.1.2 says 0; it is not checked).
class FirView {
 public:
  static std::optional<FirView> Parse(const Block& block);

  uint32_t sender_ssrc() const { return feedback_.sender_ssrc(); }
  size_t entry_count() const { return feedback_.fci().size() / kFirEntrySize; }
  FirEntry entry(size_t i) const;  // i < entry_count() (DCHECKed)

 private:
  explicit FirView(const FeedbackView& feedback) : feedback_(feedback) {}
  FeedbackView feedback_;
};
// Writes a FIR with the given entries (1..); media SSRC field 0. 0 if empty or it does not fit.
size_t WriteFir(std::span<uint8_t> out, uint32_t sender_ssrc, std::span<const FirEntry> entries);

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_FEEDBACK_H_
