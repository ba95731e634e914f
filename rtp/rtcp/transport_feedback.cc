#include "rtp/rtcp/transport_feedback.h"

#include <algorithm>

#include "core/check.h"
#include "rtp/byte_io.h"

namespace ringcast::rtp::rtcp {
namespace {

constexpr size_t kFciHeaderSize = 8;  // base seq, status count, reference time, feedback count
constexpr size_t kChunkSize = 2;
constexpr size_t kMaxBlockSize = 65536 * 4;  // the 16-bit length field

// Chunk layout (§3.1.3, §3.1.4).
constexpr bool IsVector(uint16_t chunk) { return (chunk & 0x8000) != 0; }
constexpr bool IsTwoBitVector(uint16_t chunk) { return (chunk & 0x4000) != 0; }
constexpr uint8_t RunSymbol(uint16_t chunk) { return (chunk >> 13) & 0x3; }
constexpr uint32_t RunLength(uint16_t chunk) { return chunk & 0x1FFF; }
constexpr uint32_t Capacity(uint16_t chunk) {
  return !IsVector(chunk) ? RunLength(chunk) : (IsTwoBitVector(chunk) ? 7 : 14);
}
// The i-th symbol of a vector chunk (i < Capacity).
constexpr uint8_t VectorSymbol(uint16_t chunk, uint32_t i) {
  if (IsTwoBitVector(chunk)) return (chunk >> (12 - 2 * i)) & 0x3;
  return (chunk >> (13 - i)) & 0x1;
}

constexpr size_t DeltaBytes(uint8_t symbol) { return symbol; }  // 0, 1 or 2

}  // namespace

int64_t TransportTicks(int64_t arrival_ns) {
  int64_t ticks = arrival_ns / kTransportDeltaTickNs;
  if (arrival_ns % kTransportDeltaTickNs < 0) --ticks;
  return ticks;
}

// --- Parsing ---

std::optional<TransportFeedbackView> TransportFeedbackView::Parse(const Block& block) {
  if (block.packet_type() != kPacketTypeRtpfb || block.count() != kFmtTransportFeedback) {
    return std::nullopt;
  }
  const std::span<const uint8_t> body = block.body();
  if (body.size() < 8 + kFciHeaderSize) return std::nullopt;
  const std::span<const uint8_t> fci = body.subspan(8);
  const uint32_t count = LoadBe16(fci.data() + 2);
  if (count == 0) return std::nullopt;

  // Walk the chunks until every status has a symbol, adding up the delta bytes they announce.
  // Runs are taken whole, so this is linear in the chunks, not the statuses.
  size_t offset = kFciHeaderSize;
  uint32_t left = count;
  size_t delta_bytes = 0;
  size_t received = 0;
  while (left > 0) {
    if (fci.size() - offset < kChunkSize) return std::nullopt;
    const uint16_t chunk = LoadBe16(fci.data() + offset);
    offset += kChunkSize;
    const uint32_t take = std::min(Capacity(chunk), left);
    if (!IsVector(chunk)) {
      const uint8_t symbol = RunSymbol(chunk);
      if (symbol == 3) return std::nullopt;
      delta_bytes += size_t{take} * DeltaBytes(symbol);
      if (symbol != kStatusNotReceived) received += take;
    } else {
      for (uint32_t i = 0; i < take; ++i) {
        const uint8_t symbol = VectorSymbol(chunk, i);
        if (symbol == 3) return std::nullopt;
        delta_bytes += DeltaBytes(symbol);
        if (symbol != kStatusNotReceived) ++received;
      }
    }
    left -= take;
  }
  if (fci.size() - offset < delta_bytes) return std::nullopt;
  return TransportFeedbackView(fci, offset - kFciHeaderSize, received);
}

uint32_t TransportFeedbackView::sender_ssrc() const { return LoadBe32(fci_.data() - 8); }
uint32_t TransportFeedbackView::media_ssrc() const { return LoadBe32(fci_.data() - 4); }
uint16_t TransportFeedbackView::base_seq() const { return LoadBe16(fci_.data()); }
uint16_t TransportFeedbackView::status_count() const { return LoadBe16(fci_.data() + 2); }
uint32_t TransportFeedbackView::reference_time() const { return LoadBe24(fci_.data() + 4); }
uint8_t TransportFeedbackView::feedback_count() const { return fci_[7]; }

TransportFeedbackReader TransportFeedbackView::packets() const {
  return TransportFeedbackReader(
      fci_.subspan(kFciHeaderSize, chunk_bytes_), fci_.subspan(kFciHeaderSize + chunk_bytes_),
      base_seq(), status_count(), int64_t{reference_time()} * kTransportReferenceTicks);
}

uint8_t TransportFeedbackReader::NextSymbol() {
  // Parse() checked that the chunks cover every status, so a chunk is always there; empty runs
  // (run length 0) are skipped.
  while (chunk_left_ == 0) {
    DCHECK(next_chunk_ + kChunkSize <= chunks_.size());
    chunk_ = LoadBe16(chunks_.data() + next_chunk_);
    next_chunk_ += kChunkSize;
    chunk_left_ = Capacity(chunk_);
    chunk_index_ = 0;
  }
  --chunk_left_;
  const uint32_t i = chunk_index_++;
  return IsVector(chunk_) ? VectorSymbol(chunk_, i) : RunSymbol(chunk_);
}

std::optional<TransportFeedbackPacket> TransportFeedbackReader::Next() {
  if (left_ == 0) return std::nullopt;
  --left_;
  TransportFeedbackPacket packet;
  packet.seq = seq_++;
  const uint8_t symbol = NextSymbol();
  if (symbol == kStatusNotReceived) return packet;
  packet.received = true;
  if (symbol == kStatusSmallDelta) {
    packet.delta_ticks = deltas_[delta_offset_];
    delta_offset_ += 1;
  } else {
    packet.delta_ticks = static_cast<int16_t>(LoadBe16(deltas_.data() + delta_offset_));
    delta_offset_ += 2;
  }
  arrival_ticks_ += packet.delta_ticks;
  packet.arrival_ticks = arrival_ticks_;
  return packet;
}

// --- Chunk encoding ---

bool StatusChunkEncoder::CanAdd(uint8_t symbol) const {
  if (size_ == 0) return true;
  if (all_same_ && symbol == pending_[0] && size_ < kMaxRun) return true;
  if (size_ < kTwoBitCapacity) return true;
  return size_ < kOneBitCapacity && !has_large_ && symbol != kStatusLargeDelta;
}

void StatusChunkEncoder::Add(uint8_t symbol) {
  if (!CanAdd(symbol)) Emit();
  if (size_ < kOneBitCapacity) pending_[size_] = symbol;
  all_same_ = size_ == 0 || (all_same_ && symbol == pending_[0]);
  has_large_ = has_large_ || symbol == kStatusLargeDelta;
  ++size_;
}

uint16_t StatusChunkEncoder::EncodePending() const {
  DCHECK(size_ > 0);
  if (all_same_) return static_cast<uint16_t>((pending_[0] << 13) | size_);
  uint16_t chunk;
  if (has_large_) {
    DCHECK(size_ <= kTwoBitCapacity);
    chunk = 0xC000;
    for (size_t i = 0; i < size_; ++i) chunk |= static_cast<uint16_t>(pending_[i] << (12 - 2 * i));
  } else {
    DCHECK(size_ <= kOneBitCapacity);
    chunk = 0x8000;
    for (size_t i = 0; i < size_; ++i) chunk |= static_cast<uint16_t>(pending_[i] << (13 - i));
  }
  return chunk;
}

void StatusChunkEncoder::Emit() {
  // Called only when the group cannot take one more symbol: a run (of at least 7, or of
  // kMaxRun), a full one-bit vector, or 7..13 symbols that meet a large delta.
  if (all_same_ || (size_ == kOneBitCapacity && !has_large_)) {
    chunks_[emitted_++] = EncodePending();
    size_ = 0;
    all_same_ = true;
    has_large_ = false;
    return;
  }
  DCHECK(size_ >= kTwoBitCapacity);
  uint16_t chunk = 0xC000;
  for (size_t i = 0; i < kTwoBitCapacity; ++i) {
    chunk |= static_cast<uint16_t>(pending_[i] << (12 - 2 * i));
  }
  chunks_[emitted_++] = chunk;
  const size_t rest = size_ - kTwoBitCapacity;
  size_ = 0;
  all_same_ = true;
  has_large_ = false;
  uint8_t keep[kOneBitCapacity];
  std::copy(pending_ + kTwoBitCapacity, pending_ + kTwoBitCapacity + rest, keep);
  for (size_t i = 0; i < rest; ++i) Add(keep[i]);
}

void StatusChunkEncoder::WriteTo(uint8_t* out) const {
  for (size_t i = 0; i < emitted_; ++i) StoreBe16(out + kChunkSize * i, chunks_[i]);
  if (size_ > 0) StoreBe16(out + kChunkSize * emitted_, EncodePending());
}

// --- Building ---

TransportFeedbackBuilder::TransportFeedbackBuilder(size_t max_size)
    : max_size_(std::clamp(max_size, kTransportFeedbackMinSize, kMaxBlockSize) & ~size_t{3}),
      // Room for a refused trial's chunks too (see AddReceived).
      chunk_storage_(max_size_ / kChunkSize + 2),
      deltas_(max_size_),
      encoder_(chunk_storage_.data()) {}

void TransportFeedbackBuilder::Reset(uint16_t base_seq, int64_t first_arrival_ns,
                                     uint8_t feedback_count) {
  encoder_ = StatusChunkEncoder(chunk_storage_.data());
  delta_bytes_ = 0;
  status_count_ = 0;
  base_seq_ = base_seq;
  feedback_count_ = feedback_count;
  int64_t reference = TransportTicks(first_arrival_ns) / kTransportReferenceTicks;
  if (TransportTicks(first_arrival_ns) % kTransportReferenceTicks < 0) --reference;
  reference_time_ = static_cast<uint32_t>(reference) & 0xFFFFFF;
  last_ticks_ = reference * kTransportReferenceTicks;
}

size_t TransportFeedbackBuilder::size() const {
  if (status_count_ == 0) return 0;
  const size_t raw =
      kTransportFeedbackHeaderSize + kChunkSize * encoder_.chunk_count() + delta_bytes_;
  return (raw + 3) & ~size_t{3};
}

bool TransportFeedbackBuilder::AddReceived(uint16_t seq, int64_t arrival_ns) {
  const size_t index = static_cast<uint16_t>(seq - base_seq_);
  if (index < status_count_ || index >= kTransportFeedbackMaxStatuses) return false;
  const int64_t ticks = TransportTicks(arrival_ns);
  const int64_t delta = ticks - last_ticks_;
  if (delta < INT16_MIN || delta > INT16_MAX) return false;
  const uint8_t symbol = delta >= 0 && delta <= 0xFF ? kStatusSmallDelta : kStatusLargeDelta;

  // Try on a copy: the chunks it emits land past the ones kept, so a refusal changes nothing.
  StatusChunkEncoder trial = encoder_;
  const size_t max_chunks = (max_size_ - kTransportFeedbackHeaderSize) / kChunkSize;
  for (size_t i = status_count_; i < index; ++i) {
    trial.Add(kStatusNotReceived);
    if (trial.chunk_count() > max_chunks) return false;
  }
  trial.Add(symbol);
  if (trial.chunk_count() > max_chunks) return false;
  const size_t raw = kTransportFeedbackHeaderSize + kChunkSize * trial.chunk_count() +
                     delta_bytes_ + DeltaBytes(symbol);
  if (((raw + 3) & ~size_t{3}) > max_size_) return false;

  encoder_ = trial;
  if (symbol == kStatusSmallDelta) {
    deltas_[delta_bytes_++] = static_cast<uint8_t>(delta);
  } else {
    StoreBe16(deltas_.data() + delta_bytes_, static_cast<uint16_t>(static_cast<int16_t>(delta)));
    delta_bytes_ += 2;
  }
  status_count_ = index + 1;
  last_ticks_ = ticks;
  return true;
}

size_t TransportFeedbackBuilder::Write(std::span<uint8_t> out, uint32_t sender_ssrc,
                                       uint32_t media_ssrc) const {
  const size_t total = size();
  if (total == 0 || out.size() < total) return 0;
  uint8_t* p = out.data();
  WriteHeader(p, kFmtTransportFeedback, kPacketTypeRtpfb, total);
  StoreBe32(p + 4, sender_ssrc);
  StoreBe32(p + 8, media_ssrc);
  StoreBe16(p + 12, base_seq_);
  StoreBe16(p + 14, static_cast<uint16_t>(status_count_));
  p[16] = static_cast<uint8_t>(reference_time_ >> 16);
  p[17] = static_cast<uint8_t>(reference_time_ >> 8);
  p[18] = static_cast<uint8_t>(reference_time_);
  p[19] = feedback_count_;
  size_t offset = kTransportFeedbackHeaderSize;
  encoder_.WriteTo(p + offset);
  offset += kChunkSize * encoder_.chunk_count();
  std::copy(deltas_.begin(), deltas_.begin() + static_cast<ptrdiff_t>(delta_bytes_), p + offset);
  offset += delta_bytes_;
  // Zero padding to 32 bits, no P bit (see the file comment).
  std::fill(p + offset, p + total, uint8_t{0});
  return total;
}

}  // namespace ringcast::rtp::rtcp
