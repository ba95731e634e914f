// net/rtsp/auth against real third-party peers, over loopback TCP:
//  - our http::ClientAuth answers the 401 of GStreamer's RTSP server
//  (tests/data/rtsp/gst_rtsp_server.py,
//    Digest and Basic) and the server lets the DESCRIBE through;
//  - our http::ServerAuth challenges ffprobe and GStreamer's rtspsrc, and verifies their answers.
// Each test skips (GTEST_SKIP) when its peer is not installed.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/auth.h"
#include "net/http/message.h"
#include "net/http/parser.h"
#include "net/http/stored_password.h"
#include "tests/unit/net/rtsp/child_process.h"

namespace ringcast::net::rtsp {
namespace {

using core::kNsPerSec;
using core::NowNs;
using testing::Child;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::HaveProgram;
using ::testing::Not;
using testing::ReadMessage;
using testing::SendAll;

bool HaveGstRtspServer() {
  static const bool have = testing::HaveGstRtspServerWith({"x264enc", "rtph264pay"});
  return have;
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// A blocking RTSP client connection for the tests.
class RtspConnection {
 public:
  explicit RtspConnection(int port)
      : fd_(ConnectLoopback(port)), parser_(http::Protocol::kRtsp, http::Parser::Kind::kResponse) {}
  ~RtspConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  std::optional<http::Message> Request(std::string_view method, std::string_view uri,
                                       std::string_view authorization = {}) {
    std::vector<http::Header> headers = {{"CSeq", core::StrCat(++cseq_)}};
    if (!authorization.empty()) headers.push_back({"Authorization", std::string(authorization)});
    if (!SendAll(fd_, http::FormatRequest(http::Protocol::kRtsp, method, uri, headers, ""))) {
      return std::nullopt;
    }
    return ReadMessage(fd_, parser_, pending_);
  }

 private:
  int fd_;
  http::Parser parser_;
  std::string pending_;
  int cseq_ = 0;
};

class GstServer {
 public:
  GstServer(const std::string& auth, const std::string& user, const std::string& password)
      : child_({"/usr/bin/python3", std::string(RINGCAST_RTSP_TEST_DATA) + "/gst_rtsp_server.py",
                "--auth", auth, "--user", user, "--password", password}),
        port_(child_.ReadPort()) {}
  int port() const { return port_; }

 private:
  Child child_;
  int port_;
};

void ExpectClientGetsThrough(const std::string& scheme) {
  GstServer server(scheme, "ringcast-user", "pa:ss \"word\"");
  ASSERT_GT(server.port(), 0) << "GStreamer RTSP server did not start";
  const std::string uri = core::StrCat("rtsp://127.0.0.1:", server.port(), "/test");

  RtspConnection conn(server.port());
  ASSERT_TRUE(conn.ok());
  std::optional<http::Message> first = conn.Request("DESCRIBE", uri);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->status, 401);
  http::ClientAuth client("ringcast-user", "pa:ss \"word\"");
  ASSERT_TRUE(client.OnChallenge(*first).ok());
  EXPECT_EQ(client.challenge()->scheme,
            scheme == "digest" ? http::AuthScheme::kDigest : http::AuthScheme::kBasic);
  EXPECT_EQ(client.challenge()->realm, "GStreamer RTSP Server");

  std::optional<http::Message> second =
      conn.Request("DESCRIBE", uri, client.Authorization("DESCRIBE", uri));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200) << second->reason;
  EXPECT_THAT(second->body, HasSubstr("m=video"));
  // The same challenge keeps working for the next request on the connection.
  std::optional<http::Message> third =
      conn.Request("DESCRIBE", uri, client.Authorization("DESCRIBE", uri));
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->status, 200);

  // A wrong password is refused, and our client says so instead of retrying forever.
  RtspConnection wrong_conn(server.port());
  http::ClientAuth wrong("ringcast-user", "not it");
  std::optional<http::Message> w1 = wrong_conn.Request("DESCRIBE", uri);
  ASSERT_TRUE(w1.has_value());
  ASSERT_TRUE(wrong.OnChallenge(*w1).ok());
  std::optional<http::Message> w2 =
      wrong_conn.Request("DESCRIBE", uri, wrong.Authorization("DESCRIBE", uri));
  ASSERT_TRUE(w2.has_value());
  EXPECT_EQ(w2->status, 401);
}

TEST(RtspAuthPeerTest, GstreamerServerAcceptsOurDigest) {
  if (!HaveGstRtspServer())
    GTEST_SKIP()
        << "GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0, x264enc) not installed";
  ExpectClientGetsThrough("digest");
}

TEST(RtspAuthPeerTest, GstreamerServerAcceptsOurBasic) {
  if (!HaveGstRtspServer())
    GTEST_SKIP()
        << "GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0, x264enc) not installed";
  ExpectClientGetsThrough("basic");
}

// Our http::ServerAuth behind a tiny RTSP responder on a loopback port. OPTIONS is open; every
// other request must authenticate; an authenticated DESCRIBE gets 404 so the client ends.
class AuthServer {
 public:
  explicit AuthServer(http::ServerAuthOptions options, std::string stored = "s3cret p@ss")
      : auth_(std::move(options)), stored_(std::move(stored)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 4);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~AuthServer() {
    Finish();
    close(listen_fd_);
  }
  int port() const { return port_; }
  // Stops the server thread and returns the verdicts in order (call after the client exited).
  std::vector<http::AuthVerdict> Finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return verdicts_;
  }

 private:
  void Run() {
    const int64_t deadline = NowNs() + 20 * kNsPerSec;
    while (!stop_ && NowNs() < deadline) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Serve(fd, deadline);
      close(fd);
    }
  }

  void Serve(int fd, int64_t deadline) {
    http::Parser parser(http::Protocol::kRtsp, http::Parser::Kind::kRequest);
    std::string pending;
    while (!stop_ && NowNs() < deadline) {
      std::optional<http::Message> request = ReadMessage(fd, parser, pending);
      if (!request) return;
      const std::string* cseq = request->FindHeader("CSeq");
      std::vector<http::Header> headers = {{"CSeq", cseq ? *cseq : "0"}};
      int status = 200;
      if (request->method == "OPTIONS") {
        headers.push_back({"Public", "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"});
      } else {
        const std::string* authorization = request->FindHeader("Authorization");
        const http::AuthVerdict verdict =
            auth_.Verify(authorization ? *authorization : "", request->method, request->target,
                         {"viewer", stored_}, "127.0.0.1");
        if (stop_) return;
        verdicts_.push_back(verdict);
        if (verdict == http::AuthVerdict::kOk) {
          status = 404;  // authenticated: nothing to see, the client gives up cleanly
        } else {
          status = 401;
          for (std::string& v :
               auth_.MakeChallenges(http::VerdictWantsStale(verdict), "127.0.0.1")) {
            headers.push_back({"WWW-Authenticate", std::move(v)});
          }
        }
      }
      if (!SendAll(fd, http::FormatResponse(http::Protocol::kRtsp, status, "", headers, "")))
        return;
    }
  }

  http::ServerAuth auth_;
  std::string stored_;  // the path's password as configured (clear or hashed)
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<http::AuthVerdict> verdicts_;  // the server thread's until Finish() joins it
  std::thread thread_;
};

std::vector<http::AuthVerdict> RunClientAgainst(
    http::ServerAuthOptions options, const std::vector<std::string>& argv_with_port_marker,
    int* exit_status = nullptr, std::string stored = "s3cret p@ss") {
  AuthServer server(std::move(options), std::move(stored));
  std::vector<std::string> argv;
  for (const std::string& a : argv_with_port_marker) {
    std::string arg = a;
    if (const size_t at = arg.find("PORT"); at != std::string::npos) {
      arg.replace(at, 4, std::to_string(server.port()));
    }
    argv.push_back(arg);
  }
  Child client(argv);
  EXPECT_TRUE(client.started());
  std::optional<int> status = client.Wait(std::chrono::seconds(15));
  EXPECT_TRUE(status.has_value()) << argv[0] << " did not finish";
  if (exit_status && status) *exit_status = *status;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return server.Finish();
}

TEST(RtspAuthPeerTest, FfprobeAnswersOurDigest) {
  if (!HaveProgram("ffprobe")) GTEST_SKIP() << "ffprobe not installed";
  // ffmpeg answers qop="auth" with nc and cnonce.
  std::vector<http::AuthVerdict> verdicts = RunClientAgainst(
      {}, {"ffprobe", "-v", "quiet", "rtsp://viewer:s3cret%20p%40ss@127.0.0.1:PORT/cam1"});
  ASSERT_GE(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0], http::AuthVerdict::kMissing);
  EXPECT_EQ(verdicts[1], http::AuthVerdict::kOk);

  std::vector<http::AuthVerdict> wrong =
      RunClientAgainst({}, {"ffprobe", "-v", "quiet", "rtsp://viewer:guess@127.0.0.1:PORT/cam1"});
  ASSERT_GE(wrong.size(), 2u);
  EXPECT_THAT(wrong, Contains(http::AuthVerdict::kBadCredentials));
  EXPECT_THAT(wrong, Not(Contains(http::AuthVerdict::kOk)));
}

// The path's password stored hashed (ringcastctl --hash-password): Digest is checked against
// the line's HA1, Basic against its PBKDF2 key.
TEST(RtspAuthPeerTest, FfprobeAgainstHashedPassword) {
  if (!HaveProgram("ffprobe")) GTEST_SKIP() << "ffprobe not installed";
  const std::string line = http::HashPasswordLine("viewer", "ringcast", "s3cret p@ss", true);
  for (bool basic : {false, true}) {
    http::ServerAuthOptions options;
    if (basic) options = {.offer_digest_md5 = false, .offer_basic = true};
    std::vector<http::AuthVerdict> verdicts = RunClientAgainst(
        options, {"ffprobe", "-v", "quiet", "rtsp://viewer:s3cret%20p%40ss@127.0.0.1:PORT/cam1"},
        nullptr, line);
    ASSERT_GE(verdicts.size(), 2u) << basic;
    EXPECT_EQ(verdicts[0], http::AuthVerdict::kMissing);
    EXPECT_EQ(verdicts[1], http::AuthVerdict::kOk) << basic;
    std::vector<http::AuthVerdict> wrong = RunClientAgainst(
        options, {"ffprobe", "-v", "quiet", "rtsp://viewer:guess@127.0.0.1:PORT/cam1"}, nullptr,
        line);
    EXPECT_THAT(wrong, Contains(http::AuthVerdict::kBadCredentials)) << basic;
    EXPECT_THAT(wrong, Not(Contains(http::AuthVerdict::kOk))) << basic;
  }
}

TEST(RtspAuthPeerTest, FfprobeAnswersOurBasicWhenOffered) {
  if (!HaveProgram("ffprobe")) GTEST_SKIP() << "ffprobe not installed";
  std::vector<http::AuthVerdict> verdicts = RunClientAgainst(
      {.offer_digest_md5 = false, .offer_basic = true},
      {"ffprobe", "-v", "quiet", "rtsp://viewer:s3cret%20p%40ss@127.0.0.1:PORT/cam1"});
  ASSERT_GE(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[1], http::AuthVerdict::kOk);
}

TEST(RtspAuthPeerTest, GstreamerRtspsrcAnswersOurDigest) {
  if (!HaveProgram("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 not installed";
  // rtspsrc ignores qop and answers in the RFC 2069 form; the server takes that too.
  std::vector<http::AuthVerdict> verdicts = RunClientAgainst(
      {}, {"gst-launch-1.0", "-q", "rtspsrc", "location=rtsp://127.0.0.1:PORT/cam1",
           "user-id=viewer", "user-pw=s3cret p@ss", "retry=1", "!", "fakesink"});
  ASSERT_GE(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0], http::AuthVerdict::kMissing);
  EXPECT_THAT(verdicts, Contains(http::AuthVerdict::kOk));
  EXPECT_THAT(verdicts, Not(Contains(http::AuthVerdict::kBadCredentials)));
  // Each answer without qop is taken once: rtspsrc's DESCRIBE and SETUPs are distinct ones.
  EXPECT_THAT(verdicts, Not(Contains(http::AuthVerdict::kReplay)));

  // With the password stored hashed.
  verdicts =
      RunClientAgainst({},
                       {"gst-launch-1.0", "-q", "rtspsrc", "location=rtsp://127.0.0.1:PORT/cam1",
                        "user-id=viewer", "user-pw=s3cret p@ss", "retry=1", "!", "fakesink"},
                       nullptr, http::HashPasswordLine("viewer", "ringcast", "s3cret p@ss", true));
  EXPECT_THAT(verdicts, Contains(http::AuthVerdict::kOk));
  EXPECT_THAT(verdicts, Not(Contains(http::AuthVerdict::kBadCredentials)));
}

}  // namespace
}  // namespace ringcast::net::rtsp
