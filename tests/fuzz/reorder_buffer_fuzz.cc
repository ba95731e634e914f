// Fuzz target for rtp/reorder_buffer.h: one incoming stream's packets in any order, with any
// gaps, duplicates, jumps and timing a peer could produce, and the timer's Flush in between.
//
// The input starts with 4 bytes of set-up: the capacity (16 << (byte 0 % 5): 16..256, small so
// that jumps past it are common), the maximum wait in ms (byte 1 + 1) and the first sequence
// number (bytes 2-3, so the 65535 → 0 wrap is near). Then 4-byte events: byte 0's low 2 bits
// choose the event (0-2: push a packet, 3: Flush; with bit 2 also set, set_max_wait_ns to byte 1
// + 1 ms first), its top 5 bits are the time step in ms; the packet's number is the previous
// one plus a signed step, byte 1 (bit 2 clear) or bytes 1-2 (bit 2 set: jumps and restarts);
// byte 3 sets its size (12 + 24 × (byte 3 % 64) bytes, so some exceed the 1200-byte maximum).
//
// Properties checked: every packet the sink gets is one that was pushed (its payload bytes are
// a pattern derived from its number); between restarts the delivered numbers strictly increase,
// and each number skipped between two delivered packets is counted in given_up() by then;
// waiting() never exceeds the capacity; every packet pushed is accounted for exactly once
// (delivered, waiting, late, duplicate, refused, or kept aside as a possible restart); after
// Flush nothing waiting is due; next_deadline_ns() is set exactly while packets wait; the sink is
// never left with a packet that is not valid RTP. Seeds (corpus/reorder_buffer): hand-made event
// lists — in order, reordering, a loss given up by time and one filled late, duplicates, the
// wrap, a jump past the capacity, restarts ahead and behind.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/byte_io.h"
#include "rtp/reorder_buffer.h"
#include "rtp/rtp_packet.h"
#include "rtp/seq_num.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ringcast::rtp::LoadBe16;
using ringcast::rtp::ReorderBuffer;
using ringcast::rtp::RtpHeaderWriter;
using ringcast::rtp::RtpView;
using ringcast::rtp::SeqDistance;

constexpr int64_t kMs = 1'000'000;
constexpr size_t kMaxPacketSize = 1200;

uint8_t PatternByte(uint16_t seq, size_t i) { return static_cast<uint8_t>(seq * 31 + i); }

// What the sink has seen, checked against the buffer's counters as each packet arrives.
struct Checker {
  const ReorderBuffer* buffer = nullptr;
  bool any = false;
  uint16_t last = 0;
  uint64_t restarts_at_last = 0;
  uint64_t given_up_at_last = 0;
  uint64_t delivered = 0;

  void OnPacket(const RtpView& packet) {
    const uint16_t seq = packet.sequence_number();
    const std::span<const uint8_t> payload = packet.payload();
    for (size_t i = 0; i < payload.size(); ++i) FUZZ_CHECK(payload[i] == PatternByte(seq, i));
    FUZZ_CHECK(RtpView::Parse(packet.packet()).has_value());
    if (any && buffer->restarts() == restarts_at_last) {
      const int32_t distance = SeqDistance(last, seq);
      FUZZ_CHECK(distance > 0);
      FUZZ_CHECK(buffer->given_up() - given_up_at_last == static_cast<uint64_t>(distance - 1));
    }
    any = true;
    last = seq;
    restarts_at_last = buffer->restarts();
    given_up_at_last = buffer->given_up();
    ++delivered;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  ReorderBuffer buffer({.capacity = size_t{16} << (data[0] % 5),
                        .max_packet_size = kMaxPacketSize,
                        .max_wait_ns = (data[1] + 1) * kMs});
  Checker checker{.buffer = &buffer};
  auto sink = [&checker](const RtpView& packet) { checker.OnPacket(packet); };
  uint16_t seq = LoadBe16(data + 2);
  int64_t now = 1'000 * kMs;
  uint64_t pushed = 0;
  std::array<uint8_t, 12 + 24 * 63> bytes;

  for (size_t offset = 4; offset + 4 <= size; offset += 4) {
    const uint8_t* event = data + offset;
    now += (event[0] >> 3) * kMs;
    const bool wide = (event[0] & 0x4) != 0;
    if ((event[0] & 0x3) == 3) {
      if (wide) buffer.set_max_wait_ns((event[1] + 1) * kMs);
      buffer.Flush(now, sink);
      const std::optional<int64_t> deadline = buffer.next_deadline_ns();
      FUZZ_CHECK(!deadline || *deadline > now);
    } else {
      const int step =
          wide ? static_cast<int16_t>(LoadBe16(event + 1)) : static_cast<int8_t>(event[1]);
      seq = static_cast<uint16_t>(seq + step);
      const size_t packet_size = 12 + 24 * (event[3] % 64);
      RtpHeaderWriter writer(bytes, {.marker = (event[3] & 0x40) != 0,
                                     .payload_type = 96,
                                     .sequence_number = seq,
                                     .timestamp = 90u * seq,
                                     .ssrc = 0x5eed});
      FUZZ_CHECK(writer.Finish() == 12);
      for (size_t i = 12; i < packet_size; ++i) bytes[i] = PatternByte(seq, i - 12);
      const std::optional<RtpView> view =
          RtpView::Parse(std::span<const uint8_t>(bytes.data(), packet_size));
      FUZZ_CHECK(view.has_value());
      buffer.Push(*view, now, sink);
      ++pushed;
    }
    FUZZ_CHECK(buffer.waiting() <= buffer.capacity());
    FUZZ_CHECK(buffer.next_deadline_ns().has_value() == (buffer.waiting() > 0));
    FUZZ_CHECK(checker.delivered == buffer.delivered());
    FUZZ_CHECK(buffer.reordered() <= buffer.delivered());
    FUZZ_CHECK(pushed == buffer.delivered() + buffer.waiting() + buffer.late() +
                             buffer.duplicates() + buffer.refused() +
                             (buffer.restart_pending() ? 1 : 0));
  }
  // Long after: everything waiting goes.
  buffer.Flush(now + 1'000'000 * kMs, sink);
  FUZZ_CHECK(buffer.waiting() == 0);
  FUZZ_CHECK(!buffer.next_deadline_ns().has_value());
  return 0;
}
