// RbspBitReader: reads the bits of a NAL unit's payload (H.264 §7.2 / H.265 §7.2) the way the
// parameter-set parsers need them — fixed-width fields, Exp-Golomb ue(v)/se(v) (§9.1) — with the
// emulation prevention bytes (0x000003 → 0x0000) removed on the fly, so nothing is copied.
//
// Reading past the end never touches memory outside the span: it yields zero bits and makes
// ok() false for good, so a parser may read a run of fields and check ok() once after them.
// The reader refers to the caller's bytes and is used on one thread.
#ifndef RINGCAST_RTP_CODEC_BIT_READER_H_
#define RINGCAST_RTP_CODEC_BIT_READER_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace ringcast::rtp {

class RbspBitReader {
 public:
  // `bytes` is the NAL unit after its header (the RBSP still carrying emulation prevention).
  explicit RbspBitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  // u(n) for n in 0..32.
  uint32_t ReadBits(int n) {
    uint32_t value = 0;
    for (int i = 0; i < n; ++i) value = (value << 1) | ReadBit();
    return value;
  }

  bool ReadFlag() { return ReadBit() != 0; }

  // ue(v). Codes longer than 32 bits (more than 31 leading zeros) fail: no field the parsers
  // read can be that large.
  uint32_t ReadUe() {
    int leading_zeros = 0;
    while (ok_ && ReadBit() == 0) {
      if (++leading_zeros > 31) {
        ok_ = false;
        return 0;
      }
    }
    if (!ok_) return 0;
    const uint64_t value = ((uint64_t{1} << leading_zeros) - 1) + ReadBits(leading_zeros);
    return static_cast<uint32_t>(value);
  }

  // se(v): 1, 2, 3, 4 … map to 1, -1, 2, -2 ….
  int32_t ReadSe() {
    const uint32_t k = ReadUe();
    const int64_t magnitude = (int64_t{k} + 1) / 2;
    return static_cast<int32_t>((k & 1) ? magnitude : -magnitude);
  }

  void SkipBits(size_t n) {
    for (size_t i = 0; i < n && ok_; ++i) ReadBit();
  }

  // False once a read went past the end.
  bool ok() const { return ok_; }

 private:
  uint32_t ReadBit() {
    if (bits_left_ == 0 && !LoadByte()) {
      ok_ = false;
      return 0;
    }
    --bits_left_;
    return (current_ >> bits_left_) & 1u;
  }

  // Loads the next RBSP byte, dropping an emulation prevention byte (0x03 after two zeros).
  bool LoadByte() {
    if (pos_ >= bytes_.size()) return false;
    uint8_t byte = bytes_[pos_++];
    if (zeros_ >= 2 && byte == 0x03) {
      zeros_ = 0;
      if (pos_ >= bytes_.size()) return false;
      byte = bytes_[pos_++];
    }
    zeros_ = byte == 0 ? zeros_ + 1 : 0;
    current_ = byte;
    bits_left_ = 8;
    return true;
  }

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  int zeros_ = 0;
  uint8_t current_ = 0;
  int bits_left_ = 0;
  bool ok_ = true;
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_CODEC_BIT_READER_H_
