#include "tools/loadgen/options.h"

#include <gtest/gtest.h>

namespace ringcast::loadgen {
namespace {

absl::StatusOr<Options> Parse(std::vector<std::string_view> args) { return ParseOptions(args); }

TEST(OptionsTest, DefaultsAndDerivedValues) {
  absl::StatusOr<Options> o = Parse({"--publish", "4", "--view", "100", "--duration", "20"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->publish, 4);
  EXPECT_EQ(o->view, 100);
  EXPECT_EQ(o->paths, 4);  // viewers spread over the publishers' paths
  EXPECT_EQ(o->stagger_ms, 250);
  EXPECT_DOUBLE_EQ(o->duration_s, 20);
  EXPECT_EQ(o->verify_one_in, 1);
  EXPECT_TRUE(o->nack);
}

TEST(OptionsTest, StaggerSpreadsOverOneSecond) {
  absl::StatusOr<Options> o = Parse({"--publish", "64"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->stagger_ms, 15);
}

TEST(OptionsTest, RejectsOutOfRangeAndUnknown) {
  EXPECT_FALSE(Parse({"--publish", "257"}).ok());
  EXPECT_FALSE(Parse({"--view", "-1"}).ok());
  EXPECT_FALSE(Parse({"--view", "4001"}).ok());
  EXPECT_FALSE(Parse({"--view", "3", "--duration", "3601"}).ok());
  EXPECT_FALSE(Parse({"--view", "3", "--duration", "0"}).ok());
  EXPECT_FALSE(Parse({"--frobnicate", "1"}).ok());
  EXPECT_FALSE(Parse({"--view"}).ok());
  EXPECT_FALSE(Parse({}).ok());  // nothing to do
  EXPECT_FALSE(Parse({"--publish", "1", "--transport", "sctp"}).ok());
}

TEST(OptionsTest, LoopbackOnlyUnlessAllowed) {
  EXPECT_FALSE(Parse({"--view", "1", "--whep-url", "http://10.0.0.1:8889/x/whep"}).ok());
  EXPECT_TRUE(
      Parse({"--view", "1", "--whep-url", "http://10.0.0.1:8889/x/whep", "--allow-non-loopback"})
          .ok());
  EXPECT_FALSE(Parse({"--rtp-publish", "10.0.0.1:5000", "--rtp-streams", "2"}).ok());
  EXPECT_FALSE(Parse({"--view", "1", "--whep-url", "http://localhost:8889/x/whep"}).ok());
}

TEST(OptionsTest, RtpPublishReplacesRtsp) {
  absl::StatusOr<Options> o = Parse({"--publish", "3", "--rtp-publish", "127.0.0.1:5000"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->publish, 0);
  EXPECT_EQ(o->rtp_streams, 3);
  EXPECT_FALSE(Parse({"--rtp-publish", "127.0.0.1:65534", "--rtp-streams", "2"}).ok());
}

TEST(OptionsTest, JanusViewers) {
  absl::StatusOr<Options> o = Parse({"--view", "4", "--janus-url", "http://127.0.0.1:8088/janus",
                                     "--janus-mountpoints", "1,2,7"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->janus_mountpoints, (std::vector<int>{1, 2, 7}));
  EXPECT_EQ(o->paths, 3);
  EXPECT_FALSE(Parse({"--view", "4", "--janus-url", "http://127.0.0.1:8088/janus"}).ok());
  EXPECT_FALSE(Parse({"--view", "4", "--janus-mountpoints", "1"}).ok());
  EXPECT_FALSE(Parse({"--view", "4", "--janus-url", "http://127.0.0.1:8088/janus",
                      "--janus-mountpoints", "1,x"})
                   .ok());
  EXPECT_FALSE(Parse({"--view", "4", "--janus-url", "http://10.0.0.1:8088/janus",
                      "--janus-mountpoints", "1"})
                   .ok());
}

TEST(OptionsTest, HelpIsCancelledWithUsage) {
  absl::StatusOr<Options> o = Parse({"--help"});
  ASSERT_EQ(o.status().code(), absl::StatusCode::kCancelled);
  EXPECT_NE(std::string(o.status().message()).find("--verify-one-in"), std::string::npos);
}

TEST(OptionsTest, TemplatesAndUrls) {
  EXPECT_EQ(ExpandTemplate("rtsp://127.0.0.1:8554/bench%d", 7), "rtsp://127.0.0.1:8554/bench7");
  EXPECT_EQ(ExpandTemplate("http://h/x", 7), "http://h/x");
  absl::StatusOr<SimpleUrl> u = ParseSimpleUrl("http://127.0.0.1:8889/bench3/whep");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8889);
  EXPECT_EQ(u->target, "/bench3/whep");
  EXPECT_FALSE(ParseSimpleUrl("127.0.0.1:80").ok());
  EXPECT_FALSE(ParseSimpleUrl("http://127.0.0.1:99999/").ok());
  EXPECT_TRUE(IsLoopbackHost("127.3.2.1"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
}

}  // namespace
}  // namespace ringcast::loadgen
