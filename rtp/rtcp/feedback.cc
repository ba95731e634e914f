#include "rtp/rtcp/feedback.h"

#include "core/check.h"
#include "rtp/byte_io.h"

namespace ringcast::rtp::rtcp {
namespace {

// Writes the RFC 4585 §6.1 common part: header, sender SSRC, media SSRC.
void WriteFeedbackHeader(uint8_t* p, uint8_t fmt, uint8_t packet_type, size_t size,
                         uint32_t sender_ssrc, uint32_t media_ssrc) {
  WriteHeader(p, fmt, packet_type, size);
  StoreBe32(p + 4, sender_ssrc);
  StoreBe32(p + 8, media_ssrc);
}

// Calls emit(pid, blp) once per NACK item for `lost`; see WriteNack.
template <typename Emit>
void PackNack(std::span<const uint16_t> lost, Emit&& emit) {
  bool open = false;
  uint16_t pid = 0;
  uint16_t blp = 0;
  for (const uint16_t seq : lost) {
    if (open) {
      const uint16_t delta = static_cast<uint16_t>(seq - pid);
      if (delta == 0) continue;
      if (delta <= 16) {
        blp = static_cast<uint16_t>(blp | (1u << (delta - 1)));
        continue;
      }
      emit(pid, blp);
    }
    open = true;
    pid = seq;
    blp = 0;
  }
  if (open) emit(pid, blp);
}

}  // namespace

std::optional<FeedbackView> FeedbackView::Parse(const Block& block) {
  const uint8_t type = block.packet_type();
  if (type != kPacketTypeRtpfb && type != kPacketTypePsfb) return std::nullopt;
  if (block.body().size() < 8) return std::nullopt;
  return FeedbackView(block.body(), type, block.count());
}

uint32_t FeedbackView::sender_ssrc() const { return LoadBe32(body_.data()); }
uint32_t FeedbackView::media_ssrc() const { return LoadBe32(body_.data() + 4); }

std::optional<uint16_t> NackSeqReader::Next() {
  while ((item_ + 1) * kNackItemSize <= fci_.size()) {
    const uint8_t* p = fci_.data() + item_ * kNackItemSize;
    const uint16_t pid = LoadBe16(p);
    const uint16_t blp = LoadBe16(p + 2);
    if (bit_ < 0) {
      bit_ = 0;
      return pid;
    }
    while (bit_ < 16) {
      const int bit = bit_++;
      if ((blp >> bit) & 1) return static_cast<uint16_t>(pid + bit + 1);
    }
    ++item_;
    bit_ = -1;
  }
  return std::nullopt;
}

std::optional<NackView> NackView::Parse(const Block& block) {
  const std::optional<FeedbackView> feedback = FeedbackView::Parse(block);
  if (!feedback || !feedback->is_nack()) return std::nullopt;
  const size_t fci = feedback->fci().size();
  if (fci == 0 || fci % kNackItemSize != 0) return std::nullopt;
  return NackView(*feedback);
}

NackItem NackView::item(size_t i) const {
  DCHECK(i < item_count());
  const uint8_t* p = feedback_.fci().data() + i * kNackItemSize;
  return NackItem{LoadBe16(p), LoadBe16(p + 2)};
}

size_t NackItemCount(std::span<const uint16_t> lost) {
  size_t items = 0;
  PackNack(lost, [&items](uint16_t, uint16_t) { ++items; });
  return items;
}

size_t WriteNack(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                 std::span<const uint16_t> lost) {
  const size_t items = NackItemCount(lost);
  if (items == 0) return 0;
  const size_t size = kFeedbackHeaderSize + items * kNackItemSize;
  // The 16-bit length field bounds a block at 65536 × 4 bytes.
  if (out.size() < size || size > 65536 * 4) return 0;
  uint8_t* p = out.data();
  WriteFeedbackHeader(p, kFmtNack, kPacketTypeRtpfb, size, sender_ssrc, media_ssrc);
  size_t offset = kFeedbackHeaderSize;
  PackNack(lost, [p, &offset](uint16_t pid, uint16_t blp) {
    StoreBe16(p + offset, pid);
    StoreBe16(p + offset + 2, blp);
    offset += kNackItemSize;
  });
  return size;
}

std::optional<PliView> PliView::Parse(const Block& block) {
  const std::optional<FeedbackView> feedback = FeedbackView::Parse(block);
  if (!feedback || !feedback->is_pli()) return std::nullopt;
  return PliView{feedback->sender_ssrc(), feedback->media_ssrc()};
}

size_t WritePli(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc) {
  if (out.size() < kFeedbackHeaderSize) return 0;
  WriteFeedbackHeader(out.data(), kFmtPli, kPacketTypePsfb, kFeedbackHeaderSize, sender_ssrc,
                      media_ssrc);
  return kFeedbackHeaderSize;
}

std::optional<FirView> FirView::Parse(const Block& block) {
  const std::optional<FeedbackView> feedback = FeedbackView::Parse(block);
  if (!feedback || !feedback->is_fir()) return std::nullopt;
  const size_t fci = feedback->fci().size();
  if (fci == 0 || fci % kFirEntrySize != 0) return std::nullopt;
  return FirView(*feedback);
}

FirEntry FirView::entry(size_t i) const {
  DCHECK(i < entry_count());
  const uint8_t* p = feedback_.fci().data() + i * kFirEntrySize;
  return FirEntry{LoadBe32(p), p[4]};
}

size_t WriteFir(std::span<uint8_t> out, uint32_t sender_ssrc, std::span<const FirEntry> entries) {
  if (entries.empty() || entries.size() > 32000) return 0;
  const size_t size = kFeedbackHeaderSize + entries.size() * kFirEntrySize;
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteFeedbackHeader(p, kFmtFir, kPacketTypePsfb, size, sender_ssrc, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* e = p + kFeedbackHeaderSize + i * kFirEntrySize;
    StoreBe32(e, entries[i].ssrc);
    StoreBe32(e + 4, uint32_t{entries[i].seq_nr} << 24);  // seq nr + 24 reserved bits
  }
  return size;
}

}  // namespace ringcast::rtp::rtcp
