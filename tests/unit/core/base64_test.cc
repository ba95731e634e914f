#include "core/base64.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64Test, Rfc4648Vectors) {
  // RFC 4648 §10.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    SCOPED_TRACE(encoded);
    EXPECT_EQ(Base64Encode(Bytes(plain)), encoded);
    EXPECT_EQ(Base64Decode(encoded), Bytes(plain));
  }
}

TEST(Base64Test, BothNonLetterCharacters) {
  EXPECT_EQ(Base64Encode(std::vector<uint8_t>{0xFB, 0xFF}), "+/8=");
  EXPECT_EQ(Base64Decode("+/8="), (std::vector<uint8_t>{0xFB, 0xFF}));
}

TEST(Base64Test, MissingPaddingIsTolerated) {
  EXPECT_EQ(Base64Decode("Zg"), Bytes("f"));
  EXPECT_EQ(Base64Decode("Zm8"), Bytes("fo"));
  EXPECT_EQ(Base64Decode("Zm9vYg"), Bytes("foob"));
  // A PPS from a real ffmpeg SDP (sprop-parameter-sets=...,aOvjyyLA) has no padding to drop.
  EXPECT_EQ(Base64Decode("aOvjyyLA"), (std::vector<uint8_t>{0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0}));
}

TEST(Base64Test, BinaryRoundTrip) {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    std::vector<uint8_t> bytes(all.begin(), all.begin() + n);
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
  }
}

TEST(Base64Test, RejectsWhatIsNotBase64) {
  EXPECT_FALSE(Base64Decode("Z").has_value());      // 6 bits
  EXPECT_FALSE(Base64Decode("Zm9vY").has_value());  // 30 bits
  EXPECT_FALSE(Base64Decode("Zg=").has_value());    // wrong padding
  EXPECT_FALSE(Base64Decode("Zm8==").has_value());  // wrong padding
  EXPECT_FALSE(Base64Decode("Zm9v===").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zg==").has_value());  // padding in the middle
  EXPECT_FALSE(Base64Decode("Zm 9v").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v\n").has_value());
  EXPECT_FALSE(Base64Decode("Zm-_").has_value());  // base64url alphabet
}

}  // namespace
}  // namespace ringcast::core
