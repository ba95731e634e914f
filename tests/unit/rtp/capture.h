// Test helper: reads the packet captures in tests/data/rtp (see the README there): each
// datagram stored as a 4-byte big-endian length followed by its bytes.
#ifndef RINGCAST_TESTS_UNIT_RTP_CAPTURE_H_
#define RINGCAST_TESTS_UNIT_RTP_CAPTURE_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::rtp::testing {

using Packet = std::vector<uint8_t>;

// Every datagram of tests/data/rtp/<name>; fails the test (and returns what it could read) if
// the file is missing or truncated.
inline std::vector<Packet> ReadCapture(const std::string& name) {
  const std::string path = (std::filesystem::path(RINGCAST_RTP_TEST_DATA) / name).string();
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  std::vector<Packet> packets;
  size_t offset = 0;
  while (offset < bytes.size()) {
    if (bytes.size() - offset < 4) {
      ADD_FAILURE() << path << ": truncated length at byte " << offset;
      break;
    }
    const size_t length = (size_t{bytes[offset]} << 24) | (size_t{bytes[offset + 1]} << 16) |
                          (size_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
    offset += 4;
    if (length > bytes.size() - offset) {
      ADD_FAILURE() << path << ": truncated datagram at byte " << offset;
      break;
    }
    packets.emplace_back(bytes.begin() + offset, bytes.begin() + offset + length);
    offset += length;
  }
  EXPECT_FALSE(packets.empty()) << path;
  return packets;
}

}  // namespace ringcast::rtp::testing

#endif  // RINGCAST_TESTS_UNIT_RTP_CAPTURE_H_
