// Network-byte-order loads and stores for the wire formats under rtp/.
//
// The caller guarantees the bytes are there (every parser bounds-checks before it loads); these
// are plain inline functions with no state, callable from any thread.
#ifndef RINGCAST_RTP_BYTE_IO_H_
#define RINGCAST_RTP_BYTE_IO_H_

#include <cstdint>

namespace ringcast::rtp {

inline uint16_t LoadBe16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}

inline uint32_t LoadBe24(const uint8_t* p) {
  return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
}

inline uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_BYTE_IO_H_
