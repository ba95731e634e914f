// The pages compiled into ringcastd are exactly the files in net/webrtc/pages (so an edit there
// reaches the binary), and they load nothing from another origin.
#include "net/webrtc/pages.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcast::net::webrtc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadPage(const std::string& name) {
  std::ifstream file(std::filesystem::path(RINGCAST_WEBRTC_PAGES_DIR) / name, std::ios::binary);
  EXPECT_TRUE(file.good()) << "cannot read " << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(PagesTest, PlayerIsTheFileByteForByte) {
  const std::string file = ReadPage("player.html");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(PlayerPageHtml(), file);
}

TEST(PagesTest, IndexIsTheFileByteForByte) {
  const std::string file = ReadPage("index.html");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(IndexPageHtml(), file);
}

TEST(PagesTest, PlayerSpeaksWhepToItsOwnPath) {
  EXPECT_THAT(PlayerPageHtml(), HasSubstr("new URL(\"whep\", pageDir)"));
  EXPECT_THAT(PlayerPageHtml(), HasSubstr("application/sdp"));
  EXPECT_THAT(PlayerPageHtml(), HasSubstr("window.ringcast"));
  EXPECT_THAT(IndexPageHtml(), HasSubstr("/api/paths"));
}

TEST(PagesTest, NothingComesFromElsewhere) {
  for (std::string_view page : {PlayerPageHtml(), IndexPageHtml()}) {
    EXPECT_THAT(page, Not(HasSubstr("://")));  // no CDN, fonts or images: same origin only
    EXPECT_THAT(page, Not(HasSubstr("@import")));
  }
}

}  // namespace
}  // namespace ringcast::net::webrtc
