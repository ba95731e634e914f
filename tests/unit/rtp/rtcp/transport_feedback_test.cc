// Tests for rtp/rtcp/transport_feedback.h: two messages built by hand from the draft's rules
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) and compared byte for byte with the
// builder's output, the parser on them, chunk encoding of every kind, limits (deltas that do not
// fit, the size bound, the 16-bit status count) and round trips over random loss and arrival
// patterns.
#include "rtp/rtcp/transport_feedback.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kUs = 1'000;

std::vector<TransportFeedbackPacket> ReadAll(const TransportFeedbackView& view) {
  std::vector<TransportFeedbackPacket> packets;
  TransportFeedbackReader reader = view.packets();
  while (std::optional<TransportFeedbackPacket> packet = reader.Next()) packets.push_back(*packet);
  return packets;
}

std::optional<TransportFeedbackView> ParseBytes(const std::vector<uint8_t>& bytes) {
  const std::optional<Block> block = Block::Parse(bytes);
  if (!block) return std::nullopt;
  return TransportFeedbackView::Parse(*block);
}

std::vector<uint8_t> Build(TransportFeedbackBuilder& builder) {
  std::vector<uint8_t> out(builder.max_size());
  const size_t n = builder.Write(out, 0x11223344, 0x55667788);
  out.resize(n);
  return out;
}

// Vector 1, a two-bit status vector, negative and large deltas, a wrapping base, padding.
//
// Packets 65534, 65535, 0, 1, 2, 3; 0 is lost. Arrivals: 65534 at 64.001 s, 65535 0.5 ms later,
// 1 100 ms after that, 2 3 ms before 1 (reordered on the way), 3 0.25 ms after 2.
//   In 250 µs ticks: 256004, 256006, -, 256406, 256394, 256395.
//   Reference time: 256004 / 256 = 1000 (64.000 s) = 0x0003E8; feedback count 5.
//   Deltas: 4 (from 1000 × 256), 2, -, 400 (large: 0x0190), -12 (negative: 0xFFF4), 1.
//   Symbols: 1 1 0 2 2 1 — a large delta, so a two-bit vector (bit 15 = 1, bit 14 = 1), seven
//   2-bit symbols from bit 13 down, the seventh unused (0):
//   11 01 01 00 10 10 01 00 = 0xD4A4.
//   Size: 20 + 2 (one chunk) + 7 (deltas 1+1+2+2+1) = 29, padded to 32 with three zero bytes
//   (no P bit: §3.1's zero padding). Length field 32 / 4 - 1 = 7.
TEST(TransportFeedbackTest, HandBuiltTwoBitVectorMessage) {
  const std::vector<uint8_t> expected = {
      0x8F, 0xCD, 0x00, 0x07,  // V=2 P=0 FMT=15, PT=205, length 7
      0x11, 0x22, 0x33, 0x44,  // sender SSRC
      0x55, 0x66, 0x77, 0x88,  // media SSRC
      0xFF, 0xFE, 0x00, 0x06,  // base 65534, 6 statuses
      0x00, 0x03, 0xE8, 0x05,  // reference time 1000, feedback packet count 5
      0xD4, 0xA4, 0x04, 0x02,  // chunk, deltas 4, 2
      0x01, 0x90, 0xFF, 0xF4,  // deltas 400, -12
      0x01, 0x00, 0x00, 0x00,  // delta 1, zero padding
  };
  const int64_t t0 = 64'001 * kMs;
  TransportFeedbackBuilder builder(1200);
  builder.Reset(65534, t0, 5);
  ASSERT_TRUE(builder.AddReceived(65534, t0));
  ASSERT_TRUE(builder.AddReceived(65535, t0 + 500 * kUs));
  ASSERT_TRUE(builder.AddReceived(1, t0 + 100'500 * kUs));
  ASSERT_TRUE(builder.AddReceived(2, t0 + 97'500 * kUs));
  ASSERT_TRUE(builder.AddReceived(3, t0 + 97'750 * kUs));
  EXPECT_EQ(builder.status_count(), 6u);
  EXPECT_EQ(builder.size(), 32u);
  EXPECT_EQ(Build(builder), expected);

  const std::optional<TransportFeedbackView> view = ParseBytes(expected);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->sender_ssrc(), 0x11223344u);
  EXPECT_EQ(view->media_ssrc(), 0x55667788u);
  EXPECT_EQ(view->base_seq(), 65534);
  EXPECT_EQ(view->status_count(), 6);
  EXPECT_EQ(view->reference_time(), 1000u);
  EXPECT_EQ(view->feedback_count(), 5);
  EXPECT_EQ(view->received_count(), 5u);
  const std::vector<TransportFeedbackPacket> want = {
      {65534, true, 4, 256004}, {65535, true, 2, 256006}, {0, false, 0, 0},
      {1, true, 400, 256406},   {2, true, -12, 256394},   {3, true, 1, 256395},
  };
  EXPECT_EQ(ReadAll(*view), want);

  // The same message with RTCP padding instead (P bit, the last byte counting 3) reads the same.
  std::vector<uint8_t> rtcp_padded = expected;
  rtcp_padded[0] |= 0x20;
  rtcp_padded.back() = 3;
  const std::optional<TransportFeedbackView> padded = ParseBytes(rtcp_padded);
  ASSERT_TRUE(padded.has_value());
  EXPECT_EQ(ReadAll(*padded), want);
}

// Vector 2, a one-bit status vector and two run-length chunks, no padding.
//
// Packet 100 arrives at 5.010 s, 101..140 are lost, 141 arrives 50 ms later.
//   Ticks: 20040 and 20240. Reference 20040 / 256 = 78 (4.992 s) = 0x00004E; feedback count 0.
//   Deltas: 72 (18 ms, 0x48), 200 (0xC8): both small.
//   Symbols: 1, forty 0, 1. The encoder fills a one-bit vector with the 1 and thirteen 0s
//   (bit 15 = 1, bit 14 = 0, symbols from bit 13 down: 1010 0000 0000 0000 = 0xA000), the
//   remaining 27 0s become a run (bit 15 = 0, symbol 00, length 27: 0x001B), and the last 1 a
//   run of one (symbol 01 in bits 14-13, length 1: 0x2001).
//   Size: 20 + 6 + 2 = 28, a multiple of 4: no padding. Length field 6.
TEST(TransportFeedbackTest, HandBuiltRunLengthMessage) {
  const std::vector<uint8_t> expected = {
      0x8F, 0xCD, 0x00, 0x06,  // V=2 P=0 FMT=15, PT=205, length 6
      0x11, 0x22, 0x33, 0x44,  // sender SSRC
      0x55, 0x66, 0x77, 0x88,  // media SSRC
      0x00, 0x64, 0x00, 0x2A,  // base 100, 42 statuses
      0x00, 0x00, 0x4E, 0x00,  // reference time 78, feedback packet count 0
      0xA0, 0x00, 0x00, 0x1B,  // one-bit vector, run of 27 not received
      0x20, 0x01, 0x48, 0xC8,  // run of 1 small delta, deltas 72, 200
  };
  TransportFeedbackBuilder builder(1200);
  builder.Reset(100, 5'010 * kMs, 0);
  ASSERT_TRUE(builder.AddReceived(100, 5'010 * kMs));
  ASSERT_TRUE(builder.AddReceived(141, 5'060 * kMs));
  EXPECT_EQ(Build(builder), expected);

  const std::optional<TransportFeedbackView> view = ParseBytes(expected);
  ASSERT_TRUE(view.has_value());
  const std::vector<TransportFeedbackPacket> packets = ReadAll(*view);
  ASSERT_EQ(packets.size(), 42u);
  EXPECT_EQ(packets[0], (TransportFeedbackPacket{100, true, 72, 20040}));
  for (size_t i = 1; i <= 40; ++i) EXPECT_FALSE(packets[i].received) << i;
  EXPECT_EQ(packets[41], (TransportFeedbackPacket{141, true, 200, 20240}));
}

TEST(TransportFeedbackTest, ChunkEncoderKinds) {
  uint16_t chunks[8] = {};
  auto encode = [&chunks](std::initializer_list<uint8_t> symbols) {
    StatusChunkEncoder encoder(chunks);
    for (uint8_t s : symbols) encoder.Add(s);
    std::vector<uint8_t> bytes(2 * encoder.chunk_count());
    encoder.WriteTo(bytes.data());
    std::vector<uint16_t> out;
    for (size_t i = 0; i < bytes.size(); i += 2) out.push_back((bytes[i] << 8) | bytes[i + 1]);
    return out;
  };
  // A run of the same symbol is one run-length chunk, whatever the symbol.
  EXPECT_EQ(encode({1, 1, 1}), (std::vector<uint16_t>{0x2003}));
  EXPECT_EQ(encode({2, 2}), (std::vector<uint16_t>{0x4002}));
  // Fourteen 0/1 symbols: one full one-bit vector.
  EXPECT_EQ(encode({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0}), (std::vector<uint16_t>{0xAAAA}));
  // A fifteenth mixed symbol starts the next chunk.
  EXPECT_EQ(encode({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}),
            (std::vector<uint16_t>{0xAAAA, 0x2001}));
  // Eight 0/1 then a large delta: the first seven go out as a two-bit vector.
  // 01 00 01 00 01 00 01 = 0xC000 | 0x1111 = 0xD111; then [0, 2] as a two-bit vector: 00 10 (bits
  // 13-10).
  EXPECT_EQ(encode({1, 0, 1, 0, 1, 0, 1, 0, 2}), (std::vector<uint16_t>{0xD111, 0xC800}));
  // A run longer than 13 bits of length is split: 8191 + 9.
  StatusChunkEncoder long_run(chunks);
  for (int i = 0; i < 8200; ++i) long_run.Add(0);
  EXPECT_EQ(long_run.chunk_count(), 2u);
  uint8_t bytes[4];
  long_run.WriteTo(bytes);
  EXPECT_EQ(bytes[0], 0x1F);
  EXPECT_EQ(bytes[1], 0xFF);
  EXPECT_EQ(bytes[3], 9);
}

TEST(TransportFeedbackTest, RefusesWhatDoesNotFit) {
  TransportFeedbackBuilder builder(1200);
  builder.Reset(10, 0, 0);
  ASSERT_TRUE(builder.AddReceived(10, 0));
  // Not after the last one added.
  EXPECT_FALSE(builder.AddReceived(10, 1 * kMs));
  EXPECT_FALSE(builder.AddReceived(9, 1 * kMs));
  // A delta past 16 signed bits of 250 µs (8191.75 ms).
  EXPECT_FALSE(builder.AddReceived(11, 8'192 * kMs));
  EXPECT_FALSE(builder.AddReceived(11, -8'193 * kMs));
  EXPECT_TRUE(builder.AddReceived(11, 8'191 * kMs));
  // Past the 16-bit status count of the base.
  EXPECT_FALSE(builder.AddReceived(static_cast<uint16_t>(10 + 0xFFFF), 8'191 * kMs));
  EXPECT_EQ(builder.status_count(), 2u);

  // An empty message is not written; an output buffer too small is refused.
  TransportFeedbackBuilder empty(1200);
  empty.Reset(0, 0, 0);
  std::vector<uint8_t> out(64);
  EXPECT_EQ(empty.Write(out, 1, 2), 0u);
  std::vector<uint8_t> tiny(8);
  EXPECT_EQ(builder.Write(tiny, 1, 2), 0u);
}

TEST(TransportFeedbackTest, SizeBoundStopsAdding) {
  // 64 bytes: header 20, then chunks and deltas. Packets alternate received/lost with large
  // deltas (two-bit vectors of 7, 2 bytes per received packet).
  TransportFeedbackBuilder builder(64);
  builder.Reset(0, 0, 0);
  uint16_t seq = 0;
  int64_t t = 0;
  while (builder.AddReceived(seq, t)) {
    seq = static_cast<uint16_t>(seq + 2);
    t += 300 * kMs;  // 1200 ticks: large
  }
  EXPECT_LE(builder.size(), 64u);
  EXPECT_GT(builder.size(), 48u);
  std::vector<uint8_t> out(64);
  const size_t n = builder.Write(out, 1, 2);
  ASSERT_EQ(n, builder.size());
  out.resize(n);
  const std::optional<TransportFeedbackView> view = ParseBytes(out);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->status_count(), builder.status_count());
}

TEST(TransportFeedbackTest, ParserRefusesMalformed) {
  const std::vector<uint8_t> good = {
      0x8F, 0xCD, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 2,  // header, SSRCs
      0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0,              // base 1, one status, reference 0
      0x20, 0x01, 0x10, 0x00,                          // run of 1 small, delta 16, zero pad
  };
  ASSERT_TRUE(ParseBytes(good).has_value());
  // Wrong FMT, wrong packet type.
  std::vector<uint8_t> bytes = good;
  bytes[0] = 0x81;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  bytes = good;
  bytes[1] = 0xCE;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  // Status count 0.
  bytes = good;
  bytes[15] = 0;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  // The reserved symbol 3 in a run and in a two-bit vector.
  bytes = good;
  bytes[20] = 0x60;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  bytes = good;
  bytes[20] = 0xF0;
  bytes[21] = 0x00;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  // More statuses than the chunks cover (a run of 1 for 3 statuses, no chunk after).
  bytes = good;
  bytes[15] = 3;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  // Deltas missing: a run of 3 small deltas needs 3 bytes, 2 are there.
  bytes = good;
  bytes[15] = 3;
  bytes[21] = 0x03;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  // A run of large deltas: 2 bytes, exactly what is there (16, 0) = 4096 ticks.
  bytes = good;
  bytes[20] = 0x40;
  const std::optional<TransportFeedbackView> large = ParseBytes(bytes);
  ASSERT_TRUE(large.has_value());
  EXPECT_EQ(ReadAll(*large)[0].delta_ticks, 0x1000);
  // Too short for the feedback header.
  bytes = {0x8F, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 1};
  EXPECT_FALSE(ParseBytes(bytes).has_value());
}

// Random loss, reordered arrivals and gaps; what the parser reads back must match what was added.
TEST(TransportFeedbackTest, RoundTripRandom) {
  std::mt19937 random(7);
  for (int round = 0; round < 200; ++round) {
    TransportFeedbackBuilder builder(round % 2 == 0 ? 1200 : 100);
    const uint16_t base = static_cast<uint16_t>(random());
    int64_t t = static_cast<int64_t>(random() % 1'000'000) * kMs;
    builder.Reset(base, t, static_cast<uint8_t>(round));
    struct Added {
      uint16_t seq;
      int64_t ticks;
    };
    std::vector<Added> added;
    uint16_t seq = base;
    for (int i = 0; i < 500; ++i) {
      const int64_t arrival = t + int64_t{static_cast<int>(random() % 8000) - 1000} * kUs;
      if (!builder.AddReceived(seq, arrival)) break;
      added.push_back({seq, TransportTicks(arrival)});
      t = arrival;
      seq = static_cast<uint16_t>(seq + 1 + (random() % 4 == 0 ? random() % 30 : 0));
    }
    ASSERT_FALSE(added.empty());
    std::vector<uint8_t> out(builder.max_size());
    const size_t n = builder.Write(out, 9, 10);
    ASSERT_GT(n, 0u);
    ASSERT_EQ(n % 4, 0u);
    out.resize(n);
    const std::optional<TransportFeedbackView> view = ParseBytes(out);
    ASSERT_TRUE(view.has_value()) << round;
    EXPECT_EQ(view->feedback_count(), static_cast<uint8_t>(round));
    EXPECT_EQ(view->received_count(), added.size());
    size_t next = 0;
    for (const TransportFeedbackPacket& packet : ReadAll(*view)) {
      if (!packet.received) continue;
      ASSERT_LT(next, added.size());
      EXPECT_EQ(packet.seq, added[next].seq);
      // The reader's ticks are the sender's reference base plus deltas: the same as the
      // builder's ticks modulo the 24-bit reference wrap (not reached here).
      EXPECT_EQ(packet.arrival_ticks, added[next].ticks);
      ++next;
    }
    EXPECT_EQ(next, added.size());
  }
}

TEST(TransportFeedbackTest, TicksRoundDown) {
  EXPECT_EQ(TransportTicks(0), 0);
  EXPECT_EQ(TransportTicks(249'999), 0);
  EXPECT_EQ(TransportTicks(250'000), 1);
  EXPECT_EQ(TransportTicks(-1), -1);
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
