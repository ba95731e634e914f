#include "rtp/codec/bit_reader.h"

#include <array>
#include <cstdint>

#include "gtest/gtest.h"

namespace ringcast::rtp {
namespace {

TEST(RbspBitReaderTest, FixedWidthAndExpGolomb) {
  // 1 | 010 | 011 | 00100 | 00101 | 0001000 | 1010 1010 | 0000 0001: ue 0, 1, 2, 3; se(4 → -2);
  // ue 7; u(8) 0xAA; u(8) 1.
  const std::array<uint8_t, 5> bytes = {0xA6, 0x42, 0x88, 0xAA, 0x01};
  RbspBitReader r(bytes);
  EXPECT_EQ(r.ReadUe(), 0u);
  EXPECT_EQ(r.ReadUe(), 1u);
  EXPECT_EQ(r.ReadUe(), 2u);
  EXPECT_EQ(r.ReadUe(), 3u);
  EXPECT_EQ(r.ReadSe(), -2);
  EXPECT_EQ(r.ReadUe(), 7u);
  EXPECT_EQ(r.ReadBits(8), 0xAAu);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.ReadBits(8), 1u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.ReadBits(1), 0u);  // past the end
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.ReadUe(), 0u);
  EXPECT_FALSE(r.ok());
}

TEST(RbspBitReaderTest, RemovesEmulationPrevention) {
  // H.264 §7.4.1: 0x000003 in the NAL unit stands for 0x0000 in the RBSP.
  const std::array<uint8_t, 8> bytes = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x03};
  RbspBitReader r(bytes);
  EXPECT_EQ(r.ReadBits(24), 0x000001u);
  EXPECT_EQ(r.ReadBits(24), 0x000003u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.ReadBits(1), 0u);
  EXPECT_FALSE(r.ok());

  // Only after two zero bytes; a 0x03 elsewhere is data, and the zero count restarts after an
  // escape (00 00 03 00 03: the second 03 is data).
  const std::array<uint8_t, 6> mixed = {0x03, 0x00, 0x03, 0x00, 0x00, 0x03};
  RbspBitReader m(mixed);
  EXPECT_EQ(m.ReadBits(32), 0x03000300u);
  EXPECT_EQ(m.ReadBits(8), 0x00u);
  EXPECT_TRUE(m.ok());
  m.ReadFlag();
  EXPECT_FALSE(m.ok());  // 00 00 03 at the very end: the escape is dropped, nothing follows
  const std::array<uint8_t, 5> restart = {0x00, 0x00, 0x03, 0x00, 0x03};
  RbspBitReader s(restart);
  EXPECT_EQ(s.ReadBits(32), 0x00000003u);
  EXPECT_TRUE(s.ok());
}

TEST(RbspBitReaderTest, LongCodesFailInsteadOfOverflowing) {
  // ue with 31 leading zeros is the longest allowed: 2^31 - 1 + 2^31 - 1.
  const std::array<uint8_t, 8> longest = {0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFE};
  RbspBitReader ok(longest);
  EXPECT_EQ(ok.ReadUe(), 0xFFFFFFFEu);
  EXPECT_TRUE(ok.ok());
  const std::array<uint8_t, 9> too_long = {0x00, 0x00, 0x03, 0x00, 0x00, 0x80, 0, 0, 0};
  RbspBitReader bad(too_long);
  EXPECT_EQ(bad.ReadUe(), 0u);
  EXPECT_FALSE(bad.ok());
  RbspBitReader empty({});
  EXPECT_FALSE(empty.ReadFlag());
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(empty.ReadSe(), 0);
}

}  // namespace
}  // namespace ringcast::rtp
