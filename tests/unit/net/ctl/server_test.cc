// The control socket end to end: ctl::Server on a Ring in one thread, CtlClient (ringcastctl's)
// in the test thread, over a real Unix socket.
#include "net/ctl/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "core/settings.h"
#include "core/worker.h"
#include "gtest/gtest.h"
#include "rtp/hub/path_settings.h"
#include "tools/ringcastctl/ctl_client.h"
#include "tools/ringcastd/ctl_service.h"

namespace ringcast::net::ctl {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("ctl-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "run" / "ctl.sock").string();  // "run" does not exist yet
    core::DefineCoreTunables(registry_);
    rtp::hub::DefinePathTunables(registry_);
    ASSERT_TRUE(registry_.ApplyConfig({}, true).ok());
    service_ = std::make_unique<daemon::CtlService>(registry_, [this] {
      ++reloads_;
      return absl::OkStatus();
    });
    core::WorkerOptions options;
    options.rx_buffers = 16;
    auto worker = core::Worker::Start(options);
    ASSERT_TRUE(worker.ok()) << worker.status();
    worker_ = std::move(worker).value();
    std::promise<absl::Status> started;
    worker_->Post([&] {
      auto server = Server::Start(worker_->ring(), worker_->rx_buffers(), path_, *service_);
      if (server.ok()) server_ = std::move(server).value();
      started.set_value(server.status());
    });
    absl::Status status = started.get_future().get();
    ASSERT_TRUE(status.ok()) << status;
  }

  void TearDown() override {
    if (worker_ != nullptr) {
      std::promise<void> stopped;
      worker_->Post([&] {
        server_.reset();
        stopped.set_value();
      });
      stopped.get_future().wait();
      worker_.reset();
    }
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::string path_;
  core::Registry registry_;  // touched only on the worker thread once the server runs
  std::unique_ptr<daemon::CtlService> service_;
  std::unique_ptr<core::Worker> worker_;
  std::unique_ptr<Server> server_;
  std::atomic<int> reloads_{0};  // counted on the worker, read by the test
};

TEST_F(ServerTest, SocketIsCreatedWithMode0660) {
  struct stat info;
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0660u);
}

TEST_F(ServerTest, GetSetListAndErrorsOverTheSocket) {
  auto client = tools::CtlClient::Connect(path_);
  ASSERT_TRUE(client.ok()) << client.status();

  auto got = client->Call(Request{.verb = Request::Verb::kGet, .name = "core.log_level"});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].kind, Reply::Kind::kValue);
  EXPECT_EQ((*got)[0].text, "info");

  auto set = client->Call(
      Request{.verb = Request::Verb::kSet, .name = "path.cam1.on_demand", .value = "yes"});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->size(), 1u);
  EXPECT_EQ((*set)[0].text, "1");

  auto listed = client->Call(Request{.verb = Request::Verb::kList, .name = "path.cam1"});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 13u);  // every key of the new path

  auto bad =
      client->Call(Request{.verb = Request::Verb::kSet, .name = "core.rx_buffers", .value = "7"});
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->size(), 1u);
  EXPECT_EQ((*bad)[0].kind, Reply::Kind::kError);
  EXPECT_EQ((*bad)[0].error, Error::kInvalid);
  EXPECT_NE((*bad)[0].text.find("[16, 32768]"), std::string::npos) << (*bad)[0].text;

  auto reload = client->Call(Request{.verb = Request::Verb::kReload});
  ASSERT_TRUE(reload.ok());
  EXPECT_EQ(reloads_.load(), 1);
}

TEST_F(ServerTest, ManyClientsAndAGarbageClientDoNotDisturbEachOther) {
  // A client that sends an endless line is cut off...
  auto garbage = tools::CtlClient::Connect(path_);
  ASSERT_TRUE(garbage.ok());
  auto flood =
      garbage->Call(Request{.verb = Request::Verb::kGet, .name = std::string(kMaxLine * 2, 'x')});
  ASSERT_TRUE(flood.ok()) << flood.status();
  ASSERT_FALSE(flood->empty());
  EXPECT_EQ((*flood)[0].error, Error::kBadRequest);
  // ...while others keep being served.
  for (int i = 0; i < 20; ++i) {
    auto client = tools::CtlClient::Connect(path_);
    ASSERT_TRUE(client.ok());
    auto got = client->Call(Request{.verb = Request::Verb::kGet, .name = "core.workers"});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ((*got)[0].text, "0");
  }
}

TEST(CtlClientTest, SaysWhenTheDaemonIsNotRunning) {
  auto client = tools::CtlClient::Connect("/nonexistent/ringcast/ctl.sock");
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(client.status().message()),
            "ringcastd is not running (no control socket at /nonexistent/ringcast/ctl.sock)");
}

}  // namespace
}  // namespace ringcast::net::ctl
