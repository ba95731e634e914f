// CtlService: the exact reply text for every verb, from a registry holding the real core and
// path tunables and one stat source; secrets masked; bad requests counted as drops.
#include "tools/ringcastd/ctl_service.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/drop_counter.h"
#include "core/log.h"
#include "core/settings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rtp/hub/path_settings.h"
#include "tools/ringcastd/settings.h"

namespace ringcast::daemon {
namespace {

using core::GetLogLevel;
using core::LogLevel;
using core::Registry;
using core::SetLogLevel;
using core::SetLogSinkForTest;
using core::StatSample;

using ::testing::HasSubstr;
using ::testing::Not;

class CtlServiceTest : public ::testing::Test {
 protected:
  CtlServiceTest() {
    core::DefineCoreTunables(registry_);
    DefineDaemonTunables(registry_);
    rtp::hub::DefinePathTunables(registry_);
    registry_.AddStatSource([this](std::vector<StatSample>& out) {
      ++collections_;
      out.push_back({.name = "stats.paths",
                     .value = 2,
                     .metric = "ringcast_paths",
                     .help = "configured paths"});
      out.push_back({.name = "stats.drops.ctl_bad_request",
                     .value = 3,
                     .metric = "ringcast_drops_total",
                     .labels = {{"reason", "ctl_bad_request"}},
                     .help = "packets and requests dropped, by reason",
                     .counter = true});
    });
    saved_level_ = GetLogLevel();
    SetLogLevel(LogLevel::kInfo);
    SetLogSinkForTest(
        [this](LogLevel, std::string_view line) { log_ += std::string(line) + "\n"; });
  }
  ~CtlServiceTest() override {
    SetLogSinkForTest(nullptr);
    SetLogLevel(saved_level_);
  }

  // One request through the service; checks the end marker on every reply.
  std::string Handle(std::string_view line) {
    std::string out;
    service_.HandleLine(line, "uid 0 pid 4242", out);
    EXPECT_TRUE(out.size() >= 2 && out.compare(out.size() - 2, 2, ".\n") == 0) << out;
    return out;
  }

  Registry registry_;
  absl::Status reload_result_ = absl::OkStatus();
  int reloads_ = 0;
  CtlService service_{registry_, [this] {
                        ++reloads_;
                        return reload_result_;
                      }};
  std::string log_;
  LogLevel saved_level_ = LogLevel::kInfo;
  int collections_ = 0;  // times the stat source ran (each asks every worker in the daemon)
};

TEST_F(CtlServiceTest, Get) {
  EXPECT_EQ(Handle("GET core.workers"), "V core.workers 0\n.\n");
  EXPECT_EQ(Handle("GET metrics.listen"), "V metrics.listen 127.0.0.1:9998\n.\n");
  EXPECT_EQ(Handle("GET stats.paths"), "V stats.paths 2\n.\n");
  EXPECT_EQ(Handle("GET core.nope"), "E unknown core.nope unknown key \"core.nope\"\n.\n");
  EXPECT_EQ(Handle("GET core"), "E unknown core unknown key \"core\"\n.\n");
}

// A request collects the stats once, however many of them it shows; one that shows none
// (a tunables-only prefix, a write) does not collect them at all.
TEST_F(CtlServiceTest, EachRequestCollectsTheStatsAtMostOnce) {
  collections_ = 0;
  Handle("LIST");
  EXPECT_EQ(collections_, 1);
  Handle("LIST stats");
  EXPECT_EQ(collections_, 2);
  Handle("DESC stats");
  EXPECT_EQ(collections_, 3);
  Handle("GET stats.paths");
  EXPECT_EQ(collections_, 4);
  Handle("LIST core");
  Handle("DESC webrtc");
  Handle("GET core.workers");
  EXPECT_EQ(collections_, 4);
}

TEST_F(CtlServiceTest, ListPrefix) {
  EXPECT_EQ(Handle("LIST core"),
            "V core.batch_wait_us 0\n"
            "V core.log_level info\n"
            "V core.rx_buffer_bytes 4096\n"
            "V core.rx_buffers 1024\n"
            "V core.workers 0\n"
            ".\n");
  EXPECT_EQ(Handle("LIST core.workers"), "V core.workers 0\n.\n");
  EXPECT_EQ(Handle("LIST stats"),
            "V stats.drops.ctl_bad_request 3\n"
            "V stats.paths 2\n"
            ".\n");
  EXPECT_EQ(Handle("LIST cor"), "E unknown cor unknown key \"cor\"\n.\n");
  EXPECT_EQ(Handle("LIST"),
            "V core.batch_wait_us 0\n"
            "V core.log_level info\n"
            "V core.rx_buffer_bytes 4096\n"
            "V core.rx_buffers 1024\n"
            "V core.workers 0\n"
            "V ctl.socket /run/ringcast/ctl.sock\n"
            "V metrics.allow \n"
            "V metrics.listen 127.0.0.1:9998\n"
            "V stats.drops.ctl_bad_request 3\n"
            "V stats.paths 2\n"
            ".\n");
}

TEST_F(CtlServiceTest, SetEchoesCanonicalValue) {
  EXPECT_EQ(Handle("SET core.log_level debug"), "V core.log_level debug\n.\n");
  EXPECT_EQ(*registry_.Get("core.log_level"), "debug");
  EXPECT_THAT(log_, HasSubstr("ctl: core.log_level = debug (was info), set by uid 0 pid 4242\n"));

  EXPECT_EQ(Handle("SET path.cam1.on_demand yes"), "V path.cam1.on_demand 1\n.\n");
  EXPECT_EQ(Handle("SET path.cam1.source rtsp://10.0.0.5/live main"),
            "V path.cam1.source rtsp://10.0.0.5/live main\n.\n");
  EXPECT_EQ(Handle("SET path.cam1.read_user"), "V path.cam1.read_user \n.\n");
  EXPECT_EQ(Handle("LIST path.cam1"),
            "V path.cam1.max_readers 0\n"
            "V path.cam1.on_demand 1\n"
            "V path.cam1.on_demand_close_after_ms 10000\n"
            "V path.cam1.override_publisher 0\n"
            "V path.cam1.publish_allow \n"
            "V path.cam1.publish_pass \n"
            "V path.cam1.publish_user \n"
            "V path.cam1.read_allow \n"
            "V path.cam1.read_pass \n"
            "V path.cam1.read_user \n"
            "V path.cam1.source rtsp://10.0.0.5/live main\n"
            "V path.cam1.source_transport tcp\n"
            "V path.cam1.worker -1\n"
            ".\n");
}

TEST_F(CtlServiceTest, SetErrors) {
  EXPECT_EQ(Handle("SET core.log_level loud"),
            "E invalid core.log_level core.log_level: invalid value \"loud\": expected one of "
            "error|warn|info|debug\n.\n");
  EXPECT_EQ(Handle("SET core.workers 8"),
            "E restart core.workers applies at restart only: set it in a config file and restart "
            "ringcastd\n.\n");
  EXPECT_EQ(Handle("SET core.workers 0"), "V core.workers 0\n.\n");
  EXPECT_EQ(Handle("SET stats.paths 0"),
            "E readonly stats.paths key \"stats.paths\" is read-only\n.\n");
  EXPECT_EQ(Handle("SET core.nope 1"), "E unknown core.nope unknown key \"core.nope\"\n.\n");
  EXPECT_EQ(Handle("SET path.cam!.source publisher"),
            "E invalid path.cam!.source invalid path name \"cam!\": use 1-64 letters, digits, '_' "
            "or '-'\n.\n");
}

TEST_F(CtlServiceTest, SecretsMaskedInRepliesAndLog) {
  EXPECT_EQ(Handle("SET path.cam1.read_pass hunter2"), "V path.cam1.read_pass ********\n.\n");
  EXPECT_EQ(*registry_.Get("path.cam1.read_pass"), "hunter2");
  EXPECT_EQ(Handle("GET path.cam1.read_pass"), "V path.cam1.read_pass ********\n.\n");
  // An empty password is shown as empty: nothing to hide, and it tells the operator none is set.
  EXPECT_EQ(Handle("GET path.cam1.publish_pass"), "V path.cam1.publish_pass \n.\n");
  EXPECT_EQ(Handle("SET path.cam1.read_pass s3cret"), "V path.cam1.read_pass ********\n.\n");
  EXPECT_THAT(Handle("LIST path.cam1"), HasSubstr("V path.cam1.read_pass ********\n"));
  EXPECT_THAT(log_, HasSubstr("ctl: path.cam1.read_pass = ******** (was ********)"));
  EXPECT_THAT(log_, Not(HasSubstr("hunter2")));
  EXPECT_THAT(log_, Not(HasSubstr("s3cret")));
}

TEST_F(CtlServiceTest, Desc) {
  EXPECT_EQ(Handle("DESC core.workers"),
            "D core.workers worker threads, each with its own io_uring (0: one per online CPU) "
            "(int 0..256, default 0, at restart)\n.\n");
  EXPECT_EQ(Handle("DESC stats.drops"),
            "D stats.drops.ctl_bad_request packets and requests dropped, by reason (read-only "
            "counter)\n.\n");
  EXPECT_EQ(Handle("DESC metrics.listen"),
            "D metrics.listen HOST:PORT of the Prometheus /metrics endpoint (address, default "
            "127.0.0.1:9998, at restart)\n.\n");
  EXPECT_EQ(Handle("DESC nope"), "E unknown nope unknown key \"nope\"\n.\n");
  ASSERT_EQ(Handle("SET path.cam1.source publisher"), "V path.cam1.source publisher\n.\n");
  EXPECT_EQ(Handle("DESC path.cam1.publish_pass"),
            "D path.cam1.publish_pass password a publisher must give (string, default (secret), "
            "live)\n.\n");
  std::string all = Handle("DESC");
  EXPECT_THAT(all, HasSubstr("D core.log_level least severe log lines written to stderr / the "
                             "journal (one of error|warn|info|debug, default info, live)\n"));
  EXPECT_THAT(all, HasSubstr("D stats.paths configured paths (read-only gauge)\n"));
}

TEST_F(CtlServiceTest, DelPath) {
  ASSERT_EQ(Handle("SET path.cam1.source publisher"), "V path.cam1.source publisher\n.\n");
  EXPECT_EQ(Handle("DELPATH cam1"), "V path.cam1 removed\n.\n");
  EXPECT_EQ(Handle("GET path.cam1.source"),
            "E unknown path.cam1.source unknown key \"path.cam1.source\"\n.\n");
  EXPECT_EQ(Handle("DELPATH cam1"), "E unknown path.cam1 unknown path \"cam1\"\n.\n");
  EXPECT_THAT(log_, HasSubstr("ctl: path cam1 removed by uid 0 pid 4242\n"));
}

TEST_F(CtlServiceTest, ReloadSuccess) {
  EXPECT_EQ(Handle("RELOAD"), "V config reloaded\n.\n");
  EXPECT_EQ(reloads_, 1);
}

TEST_F(CtlServiceTest, FailedReloadSendsOneErrorLinePerBadConfigLine) {
  reload_result_ = absl::InvalidArgumentError(
      "/etc/ringcast/ringcast.conf:2: unknown key \"core.nope\"\n"
      "/etc/ringcast/conf.d/10-cams.conf:7: core.workers: invalid value \"999\": expected an "
      "integer in [0, 256]");
  EXPECT_EQ(Handle("RELOAD"),
            "E invalid config /etc/ringcast/ringcast.conf:2: unknown key \"core.nope\"\n"
            "E invalid config /etc/ringcast/conf.d/10-cams.conf:7: core.workers: invalid value "
            "\"999\": expected an integer in [0, 256]\n"
            ".\n");
  EXPECT_EQ(reloads_, 1);
}

TEST_F(CtlServiceTest, ReloadWithoutReloadFunction) {
  CtlService no_reload(registry_, nullptr);
  std::string out;
  no_reload.HandleLine("RELOAD", "test", out);
  EXPECT_EQ(out, "E internal config no config files\n.\n");
}

TEST_F(CtlServiceTest, BadRequestAnsweredAndCounted) {
  uint64_t before = net::ctl::kBadRequestDrops.count();
  EXPECT_EQ(Handle("FROB core.workers"), "E bad_request - unknown verb \"FROB\"\n.\n");
  EXPECT_EQ(net::ctl::kBadRequestDrops.count(), before + 1);
  EXPECT_EQ(Handle("GET"), "E bad_request - GET needs a name\n.\n");
  EXPECT_EQ(Handle("RELOAD now"), "E bad_request - RELOAD takes no argument\n.\n");
  EXPECT_EQ(Handle("GET a\tb"), "E bad_request - control characters in request\n.\n");
  EXPECT_EQ(net::ctl::kBadRequestDrops.count(), before + 4);
  EXPECT_EQ(reloads_, 0);

  // Good requests, even failing ones, are not drops.
  Handle("GET core.workers");
  Handle("GET core.nope");
  EXPECT_EQ(net::ctl::kBadRequestDrops.count(), before + 4);
}

}  // namespace
}  // namespace ringcast::daemon
