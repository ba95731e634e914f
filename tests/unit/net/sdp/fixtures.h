// Reads the real SDP captures in tests/data/sdp (see its README.md for where each came from).
#ifndef RINGCAST_TESTS_UNIT_NET_SDP_FIXTURES_H_
#define RINGCAST_TESTS_UNIT_NET_SDP_FIXTURES_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::net::sdp::testing {

inline std::string ReadFixture(const std::string& name) {
  const std::string path = (std::filesystem::path(RINGCAST_SDP_TEST_DATA) / name).string();
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every *.sdp file in the fixture directory, sorted.
inline std::vector<std::string> AllFixtures() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(RINGCAST_SDP_TEST_DATA)) {
    if (entry.path().extension() == ".sdp") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ringcast::net::sdp::testing

#endif  // RINGCAST_TESTS_UNIT_NET_SDP_FIXTURES_H_
