// RtspClient against real peers over loopback:
//  - GStreamer's RTSP server (tests/data/rtsp/gst_camera.py: H.264 + Opus) pulled over TCP and
//    UDP, with Digest auth (right and wrong credentials), killed and restarted mid-stream, with a
//    short session timeout (keep-alives), refusing UDP (461 → TCP), and with its UDP media
//    dropped by an nftables rule (kAuto → TCP);
//  - a scripted server replaying GStreamer's captured answers (gst_server_play_tcp.s2c) with a
//    request of its own among the frames;
//  - no server at all (refused connections: backoff) and a server that never accepts (connect
//    timeout, Stop while connecting).
// Every wait is bounded. Tests that need GStreamer skip when it is not installed; the nftables
// test skips when nft cannot create a table (not root, no nf_tables).
#include "net/rtsp/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/message.h"
#include "net/http/parser.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/keyframe.h"
#include "tests/unit/allocation_counter.h"
#include "tests/unit/net/rtsp/capture_util.h"
#include "tests/unit/net/rtsp/child_process.h"

namespace ringcast::net::rtsp {
namespace {

using core::kNsPerMs;
using core::kNsPerSec;
using core::NowNs;
using core::StrCat;
using ::testing::AllOf;
using testing::CommandSucceeds;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadMessage;
using testing::SendAll;

// --- GStreamer -----------------------------------------------------------------------------

bool HaveGstCamera() {
  static const bool have = testing::HaveGstRtspServerWith(
      {"x264enc", "rtph264pay", "opusenc", "rtpopuspay", "videotestsrc", "audiotestsrc"});
  return have;
}

#define SKIP_WITHOUT_GSTREAMER()                                                            \
  if (!HaveGstCamera())                                                                     \
  GTEST_SKIP() << "needs /usr/bin/python3 with python3-gi, gir1.2-gst-rtsp-server-1.0 and " \
                  "gstreamer1.0-plugins-{base,good,ugly} (x264enc, opusenc)"

// tests/data/rtsp/gst_camera.py on 127.0.0.1.
class Camera {
 public:
  // `port` 0 takes a free one.
  explicit Camera(std::vector<std::string> extra_args = {}, int port = 0)
      : extra_args_(std::move(extra_args)) {
    Start(port);
  }
  bool Start(int port) {
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     std::string(RINGCAST_RTSP_TEST_DATA) + "/gst_camera.py",
                                     "--port", StrCat(port)};
    argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
    child_ = std::make_unique<testing::Child>(argv);
    port_ = child_->started() ? child_->ReadPort() : 0;
    return port_ > 0;
  }
  void Kill() { child_->Kill(); }
  int port() const { return port_; }
  std::string Url(std::string_view userinfo = {}) const {
    return StrCat("rtsp://", userinfo, userinfo.empty() ? "" : "@", "127.0.0.1:", port_, "/cam");
  }

 private:
  std::vector<std::string> extra_args_;
  std::unique_ptr<testing::Child> child_;
  int port_ = 0;
};

// --- the observer ----------------------------------------------------------------------------

// Records what the client hands over. OnSourcePacket allocates nothing (fixed counters), so the
// allocation test measures the client alone.
class TestObserver final : public rtp::SourceObserver {
 public:
  static constexpr size_t kMaxTracks = 4;
  struct TrackCounts {
    uint64_t packets = 0;
    uint64_t keyframes = 0;
    uint64_t regressions = 0;  // sequence number not after the last one
    uint64_t gaps = 0;         // sequence numbers skipped
    uint16_t last_seq = 0;
    bool have_seq = false;
    bool h264 = false;
  };

  void OnSourceReady(std::vector<rtp::TrackInfo> tracks) override {
    ++ready_calls;
    ready = true;
    tracks_ = std::move(tracks);
    packets_since_ready = 0;
    for (size_t i = 0; i < kMaxTracks; ++i) {
      counts[i].have_seq = false;
      counts[i].h264 = i < tracks_.size() && tracks_[i].encoding_name == "H264";
    }
  }
  void OnSourcePacket(size_t track, const rtp::RtpView& packet) override {
    if (!ready) ++packets_outside_ready;
    if (track >= kMaxTracks || track >= tracks_.size()) {
      ++bad_track;
      return;
    }
    ++total;
    ++packets_since_ready;
    TrackCounts& t = counts[track];
    ++t.packets;
    const uint16_t seq = packet.sequence_number();
    if (t.have_seq) {
      const uint16_t step = static_cast<uint16_t>(seq - t.last_seq);
      if (step == 0 || step >= 0x8000) {
        ++t.regressions;
      } else if (step != 1) {
        t.gaps += step - 1u;
      }
    }
    t.last_seq = seq;
    t.have_seq = true;
    if (t.h264 && rtp::IsKeyframe(rtp::KeyframeCodec::kH264, packet.payload())) ++t.keyframes;
  }
  void OnSourceLost(std::string_view reason) override {
    ready = false;
    lost.emplace_back(reason);
  }

  const std::vector<rtp::TrackInfo>& tracks() const { return tracks_; }

  int ready_calls = 0;
  bool ready = false;
  std::array<TrackCounts, kMaxTracks> counts{};
  uint64_t total = 0;
  uint64_t packets_since_ready = 0;
  uint64_t packets_outside_ready = 0;
  uint64_t bad_track = 0;
  std::vector<std::string> lost;

 private:
  std::vector<rtp::TrackInfo> tracks_;
};

// --- the fixture -----------------------------------------------------------------------------

class RtspClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ring = core::Ring::Create(core::RingOptions{});
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(ring).value();
    auto buffers = core::BufferRing::Create(*ring_, 1, 64, 4096);
    ASSERT_TRUE(buffers.ok()) << buffers.status();
    buffers_ = std::move(buffers).value();
    baseline_inflight_ = ring_->inflight();
    core::SetLogSinkForTest([this](core::LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mutex_);
      log_.emplace_back(line);
      fprintf(stderr, "log: %.*s\n", static_cast<int>(line.size()), line.data());
    });
  }
  void TearDown() override {
    client_.reset();
    if (ring_ != nullptr) ring_->CancelAllAndDrain();
    core::SetLogSinkForTest(nullptr);
  }

  RtspClient& MakeClient(RtspClientOptions options) {
    if (options.log_name.empty()) options.log_name = "path cam1";
    client_ = std::make_unique<RtspClient>(*ring_, *buffers_, std::move(options), observer_);
    return *client_;
  }

  template <typename Done>
  bool RunUntil(Done done, int64_t limit_ns = 20 * kNsPerSec) {
    const int64_t give_up = NowNs() + limit_ns;
    while (!done()) {
      if (NowNs() >= give_up) return false;
      ring_->RunOnce(10 * kNsPerMs);
    }
    return true;
  }
  void RunFor(int64_t ns) {
    const int64_t until = NowNs() + ns;
    while (NowNs() < until) ring_->RunOnce(10 * kNsPerMs);
  }

  // Stops the client and checks that nothing it started is left in flight once the ring has
  // reaped the cancellations.
  void StopAndExpectNothingInFlight() {
    client_->Stop();
    EXPECT_EQ(client_->state(), ClientState::kStopped);
    EXPECT_TRUE(RunUntil([&] { return ring_->inflight() == baseline_inflight_; }, 5 * kNsPerSec))
        << ring_->inflight() << " operations in flight, " << baseline_inflight_ << " before";
  }

  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(log_mutex_);
    return log_;
  }

  // Plays until both tracks have packets and the video a keyframe, then checks what arrived.
  void ExpectPlaysVideoAndAudio(std::string_view transport) {
    ASSERT_TRUE(RunUntil([&] {
      return observer_.counts[0].packets >= 60 && observer_.counts[1].packets >= 30 &&
             observer_.counts[0].keyframes >= 1;
    })) << "state "
        << ClientStateName(client_->state()) << ", last error " << client_->last_error()
        << ", packets " << observer_.counts[0].packets << "/" << observer_.counts[1].packets;
    EXPECT_EQ(client_->state(), ClientState::kPlaying);
    EXPECT_EQ(client_->transport_in_use(), transport);
    ASSERT_EQ(observer_.tracks().size(), 2u);
    EXPECT_EQ(observer_.tracks()[0].media, "video");
    EXPECT_EQ(observer_.tracks()[0].encoding_name, "H264");
    EXPECT_EQ(observer_.tracks()[0].clock_rate, 90000u);
    EXPECT_EQ(observer_.tracks()[1].media, "audio");
    EXPECT_TRUE(http::HeaderNameEquals(observer_.tracks()[1].encoding_name, "opus"))
        << observer_.tracks()[1].encoding_name;
    EXPECT_EQ(observer_.tracks()[1].clock_rate, 48000u);
    EXPECT_EQ(observer_.packets_outside_ready, 0u);
    EXPECT_EQ(observer_.bad_track, 0u);
    for (size_t i = 0; i < 2; ++i) EXPECT_EQ(observer_.counts[i].regressions, 0u) << "track " << i;
    EXPECT_EQ(client_->stats().invalid_packets, 0u);
    EXPECT_GE(client_->stats().rtp_packets, observer_.total);
    EXPECT_THAT(Log(),
                Contains(AllOf(HasSubstr("rtsp: path cam1: rtsp://127.0.0.1:"),
                               HasSubstr(StrCat("playing over ", transport, " (2 tracks)")))));
  }

  std::unique_ptr<core::Ring> ring_;
  std::unique_ptr<core::BufferRing> buffers_;
  int64_t baseline_inflight_ = 0;
  TestObserver observer_;
  std::unique_ptr<RtspClient> client_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

// --- GStreamer: playing --------------------------------------------------------------------

TEST_F(RtspClientTest, PullsVideoAndAudioOverTcp) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera;
  ASSERT_GT(camera.port(), 0);
  RtspClient& client = MakeClient({.url = camera.Url(), .transport = PullTransport::kTcp});
  client.Start();
  ExpectPlaysVideoAndAudio("TCP");
  EXPECT_EQ(observer_.ready_calls, 1);
  // TCP loses nothing.
  EXPECT_EQ(observer_.counts[0].gaps, 0u);
  EXPECT_EQ(observer_.counts[1].gaps, 0u);
  EXPECT_TRUE(client.udp_client_ports().empty());
  EXPECT_EQ(client.reconnects(), 0u);
  EXPECT_TRUE(observer_.lost.empty());
  StopAndExpectNothingInFlight();
  EXPECT_TRUE(observer_.lost.empty()) << "Stop() calls no observer";
}

TEST_F(RtspClientTest, PullsVideoAndAudioOverUdp) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera;
  ASSERT_GT(camera.port(), 0);
  RtspClient& client = MakeClient({.url = camera.Url(), .transport = PullTransport::kUdp});
  client.Start();
  ExpectPlaysVideoAndAudio("UDP");
  EXPECT_EQ(observer_.ready_calls, 1);
  const std::vector<uint16_t> ports = client.udp_client_ports();
  ASSERT_EQ(ports.size(), 2u);
  for (uint16_t port : ports) EXPECT_EQ(port % 2, 0) << "RTP goes to an even port";
  EXPECT_EQ(client.stats().foreign_datagrams, 0u);
  StopAndExpectNothingInFlight();
}

// --- GStreamer: Digest authentication -----------------------------------------------------

TEST_F(RtspClientTest, DigestWithTheRightCredentialsPlays) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera({"--auth", "digest", "--user", "alice", "--password", "Op3n Sesame"});
  ASSERT_GT(camera.port(), 0);
  MakeClient({.url = camera.Url("alice:Op3n%20Sesame"), .transport = PullTransport::kTcp});
  client_->Start();
  ExpectPlaysVideoAndAudio("TCP");
  StopAndExpectNothingInFlight();
  for (const std::string& line : Log()) {
    EXPECT_THAT(line, Not(HasSubstr("Op3n"))) << "a log line holds the password";
    EXPECT_THAT(line, Not(HasSubstr("alice"))) << "a log line holds the user";
  }
}

TEST_F(RtspClientTest, WrongCredentialsAreRetriedAndThePasswordNeverLogged) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera({"--auth", "digest", "--user", "alice", "--password", "right-one"});
  ASSERT_GT(camera.port(), 0);
  RtspClient& client = MakeClient({.url = camera.Url("alice:Wr0ngPassw0rd"),
                                   .transport = PullTransport::kTcp,
                                   .backoff_initial_ns = 50 * kNsPerMs,
                                   .backoff_max_ns = 200 * kNsPerMs});
  client.Start();
  // Two attempts, each ending in "wrong credentials".
  ASSERT_TRUE(RunUntil([&] {
    return client.stats().attempts >= 3 && client.state() == ClientState::kWaitingToRetry;
  })) << ClientStateName(client.state())
      << ": " << client.last_error();
  EXPECT_THAT(client.last_error(), HasSubstr("401"));
  EXPECT_THAT(client.last_error(), HasSubstr("wrong credentials"));
  EXPECT_EQ(observer_.ready_calls, 0);
  EXPECT_EQ(observer_.total, 0u);
  EXPECT_TRUE(observer_.lost.empty()) << "no media started, so nothing was lost";
  const std::vector<std::string> log = Log();
  EXPECT_THAT(log, Contains(AllOf(HasSubstr("wrong credentials"), HasSubstr("retrying in"))));
  for (const std::string& line : log) {
    EXPECT_THAT(line, Not(HasSubstr("Wr0ngPassw0rd"))) << "a log line holds the password";
  }
  StopAndExpectNothingInFlight();
}

// --- GStreamer: the server goes away and comes back ---------------------------------------

class RtspClientReconnectTest : public RtspClientTest,
                                public ::testing::WithParamInterface<PullTransport> {};

TEST_P(RtspClientReconnectTest, ReconnectsWhenTheServerComesBack) {
  SKIP_WITHOUT_GSTREAMER();
  const std::string_view transport = GetParam() == PullTransport::kTcp ? "TCP" : "UDP";
  Camera camera;
  ASSERT_GT(camera.port(), 0);
  const int port = camera.port();
  RtspClient& client = MakeClient({.url = camera.Url(),
                                   .transport = GetParam(),
                                   .no_media_timeout_ns = 2 * kNsPerSec,
                                   .backoff_initial_ns = 100 * kNsPerMs,
                                   .backoff_max_ns = 400 * kNsPerMs});
  client.Start();
  ExpectPlaysVideoAndAudio(transport);

  camera.Kill();
  ASSERT_TRUE(RunUntil([&] { return !observer_.lost.empty(); }, 10 * kNsPerSec));
  EXPECT_EQ(client.state(), ClientState::kWaitingToRetry);
  EXPECT_EQ(observer_.lost.size(), 1u);
  EXPECT_FALSE(observer_.lost[0].empty());
  EXPECT_THAT(Log(), Contains(AllOf(HasSubstr(observer_.lost[0]), HasSubstr("retrying in"))));
  EXPECT_EQ(client.reconnects(), 0u);
  RunFor(300 * kNsPerMs);  // a few refused attempts

  ASSERT_TRUE(camera.Start(port)) << "cannot restart the camera on port " << port;
  ASSERT_TRUE(RunUntil([&] {
    return observer_.ready_calls == 2 && observer_.counts[0].packets >= 20 &&
           observer_.packets_since_ready >= 40;
  })) << ClientStateName(client.state())
      << ": " << client.last_error();
  EXPECT_EQ(client.state(), ClientState::kPlaying);
  EXPECT_EQ(client.reconnects(), 1u);
  EXPECT_EQ(client.transport_in_use(), transport);
  EXPECT_EQ(observer_.counts[0].regressions, 0u);
  StopAndExpectNothingInFlight();
}

INSTANTIATE_TEST_SUITE_P(Transports, RtspClientReconnectTest,
                         ::testing::Values(PullTransport::kTcp, PullTransport::kUdp),
                         [](const ::testing::TestParamInfo<PullTransport>& info) {
                           return info.param == PullTransport::kTcp ? "Tcp" : "Udp";
                         });

// A session that played for 10 s or more was healthy: the backoff starts over after it.
TEST_F(RtspClientTest, BackoffStartsOverAfterAHealthySession) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera;
  ASSERT_GT(camera.port(), 0);
  const int port = camera.port();
  camera.Kill();
  RtspClient& client = MakeClient({.url = camera.Url(),
                                   .transport = PullTransport::kTcp,
                                   .backoff_initial_ns = 100 * kNsPerMs,
                                   .backoff_max_ns = 10 * kNsPerSec});
  client.Start();
  // Refused a few times: the delay has grown to 0.8 s or more.
  ASSERT_TRUE(RunUntil([&] { return client.stats().attempts >= 5; }));
  EXPECT_GE(client.retry_delay_ns(), 8 * 100 * kNsPerMs * 8 / 10);
  ASSERT_TRUE(camera.Start(port));
  ASSERT_TRUE(RunUntil([&] { return client.state() == ClientState::kPlaying; }))
      << client.last_error();
  RunFor(10500 * kNsPerMs);
  ASSERT_EQ(client.state(), ClientState::kPlaying) << client.last_error();
  camera.Kill();
  ASSERT_TRUE(RunUntil([&] { return client.state() == ClientState::kWaitingToRetry; }));
  EXPECT_LE(client.retry_delay_ns(), 100 * kNsPerMs) << "the backoff did not start over";
  StopAndExpectNothingInFlight();
}

// --- GStreamer: keep-alive -------------------------------------------------------------------

// The camera announces a 2 s session timeout and disconnects a client that sends no request for
// longer than that: media that still flows, on the first session, after several timeouts proves
// the keep-alives work (without them the client is cut off and reconnects every 2 s).
TEST_F(RtspClientTest, KeepAlivesHoldASessionWithAShortTimeout) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera({"--session-timeout", "2"});
  ASSERT_GT(camera.port(), 0);
  RtspClient& client = MakeClient({.url = camera.Url(),
                                   .transport = PullTransport::kUdp,
                                   .no_media_timeout_ns = 1500 * kNsPerMs});
  client.Start();
  ASSERT_TRUE(RunUntil([&] { return observer_.total >= 20; }))
      << ClientStateName(client.state()) << ": " << client.last_error();
  RunFor(7 * kNsPerSec);
  const uint64_t before = observer_.total;
  RunFor(1 * kNsPerSec);
  EXPECT_GT(observer_.total, before + 20) << "media stopped";
  EXPECT_EQ(client.state(), ClientState::kPlaying) << client.last_error();
  EXPECT_EQ(observer_.ready_calls, 1) << "the session was lost and set up again";
  EXPECT_GE(client.stats().keepalives, 5u);  // one per second
  StopAndExpectNothingInFlight();
}

// --- GStreamer: kAuto falls back to TCP -------------------------------------------------------

TEST_F(RtspClientTest, AutoFallsBackToTcpWhenTheServerRefusesUdp) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera({"--protocols", "tcp"});
  ASSERT_GT(camera.port(), 0);
  RtspClient& client = MakeClient({.url = camera.Url(), .transport = PullTransport::kAuto});
  client.Start();
  ExpectPlaysVideoAndAudio("TCP");
  EXPECT_EQ(observer_.ready_calls, 1) << "the fallback happens within the first attempt";
  EXPECT_EQ(client.stats().attempts, 1u);
  EXPECT_THAT(Log(), Contains(HasSubstr("461")));
  StopAndExpectNothingInFlight();
}

// Drops the UDP datagrams sent to some ports, with a rule in a private nftables table that the
// destructor deletes.
class UdpDropRule {
 public:
  UdpDropRule() : table_(StrCat("rc_test_", getpid())) {
    usable_ = CommandSucceeds({"nft", "add", "table", "inet", table_}) &&
              CommandSucceeds({"nft", "add", "chain", "inet", table_, "input",
                               "{ type filter hook input priority 0; policy accept; }"});
  }
  ~UdpDropRule() {
    if (usable_) CommandSucceeds({"nft", "delete", "table", "inet", table_});
  }
  bool usable() const { return usable_; }
  bool Drop(uint16_t port) {
    return CommandSucceeds(
        {"nft", "add", "rule", "inet", table_, "input", "udp", "dport", StrCat(port), "drop"});
  }

 private:
  std::string table_;
  bool usable_ = false;
};

TEST_F(RtspClientTest, AutoFallsBackToTcpWhenNoUdpMediaArrives) {
  SKIP_WITHOUT_GSTREAMER();
  UdpDropRule rule;
  if (!rule.usable()) GTEST_SKIP() << "nft cannot create a table here (needs root and nf_tables)";
  Camera camera;
  ASSERT_GT(camera.port(), 0);
  RtspClient& client = MakeClient({.url = camera.Url(),
                                   .transport = PullTransport::kAuto,
                                   .no_media_timeout_ns = 1500 * kNsPerMs,
                                   .backoff_initial_ns = 100 * kNsPerMs});
  client.Start();
  // Each UDP port is bound while the client prepares its SETUP and the server sends nothing
  // before PLAY; the ring does not run while nft adds the rule, so no datagram gets through.
  std::vector<uint16_t> dropped;
  ASSERT_TRUE(RunUntil([&] {
    for (uint16_t port : client.udp_client_ports()) {
      if (std::find(dropped.begin(), dropped.end(), port) != dropped.end()) continue;
      EXPECT_TRUE(rule.Drop(port));
      EXPECT_TRUE(rule.Drop(static_cast<uint16_t>(port + 1)));
      dropped.push_back(port);
    }
    return client.transport_in_use() == "TCP";
  })) << ClientStateName(client.state())
      << ": " << client.last_error();
  EXPECT_EQ(dropped.size(), 2u);
  EXPECT_THAT(client.last_error(), HasSubstr("no media over UDP"));
  EXPECT_THAT(Log(), Contains(HasSubstr("falling back to TCP")));
  ASSERT_EQ(observer_.lost.size(), 1u) << "the UDP attempt had announced its tracks";
  ExpectPlaysVideoAndAudio("TCP");
  EXPECT_EQ(observer_.ready_calls, 2);
  EXPECT_EQ(client.stats().attempts, 2u);
  StopAndExpectNothingInFlight();
}

// --- no media allocation --------------------------------------------------------------------

class RtspClientAllocationTest : public RtspClientTest,
                                 public ::testing::WithParamInterface<PullTransport> {};

TEST_P(RtspClientAllocationTest, MediaPathMakesNoHeapAllocation) {
  SKIP_WITHOUT_GSTREAMER();
  Camera camera;
  ASSERT_GT(camera.port(), 0);
  MakeClient({.url = camera.Url(), .transport = GetParam()});
  client_->Start();
  ASSERT_TRUE(RunUntil([&] { return observer_.total >= 50; }))
      << ClientStateName(client_->state()) << ": " << client_->last_error();
  const uint64_t before = observer_.total;
  g_allocations = 0;
  g_count_allocations = true;
  RunFor(1500 * kNsPerMs);
  g_count_allocations = false;
  EXPECT_GT(observer_.total, before + 50);
  EXPECT_EQ(g_allocations.load(), 0u) << "over " << observer_.total - before << " packets";
  StopAndExpectNothingInFlight();
}

INSTANTIATE_TEST_SUITE_P(Transports, RtspClientAllocationTest,
                         ::testing::Values(PullTransport::kTcp, PullTransport::kUdp),
                         [](const ::testing::TestParamInfo<PullTransport>& info) {
                           return info.param == PullTransport::kTcp ? "Tcp" : "Udp";
                         });

// --- a server that replays GStreamer's answers and asks us something ---------------------

// A TCP socket bound to 127.0.0.1 on a free port, listening unless `backlog` is negative (then
// connections to the port are refused).
int LoopbackSocket(int backlog, int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      (backlog >= 0 && listen(fd, backlog) != 0)) {
    close(fd);
    return -1;
  }
  socklen_t length = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  *port = ntohs(addr.sin_port);
  return fd;
}

// The captured answers are GStreamer's; only CSeq is rewritten to follow our requests.
std::string WithCseq(const http::Message& captured, std::string_view cseq) {
  std::vector<http::Header> headers;
  for (const http::Header& h : captured.headers) {
    if (http::HeaderNameEquals(h.name, "CSeq")) {
      headers.push_back({"CSeq", std::string(cseq)});
    } else if (!http::HeaderNameEquals(h.name, "Content-Length")) {
      headers.push_back(h);
    }
  }
  return http::FormatResponse(http::Protocol::kRtsp, captured.status, captured.reason, headers,
                              captured.body);
}

TEST_F(RtspClientTest, AnswersARequestFromTheServerAmongTheFrames) {
  // The frames are sent as GStreamer sent them: the bytes between the PLAY and TEARDOWN answers.
  const std::string capture = testing::ReadCapture("gst_server_play_tcp.s2c");
  const std::vector<http::Message> answers =
      testing::Messages(capture, http::Parser::Kind::kResponse);
  ASSERT_EQ(answers.size(), 5u);  // OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN
  const size_t play = capture.find("CSeq: 4");
  const size_t first = capture.find("\r\n\r\n", play) + 4;
  const std::string frames = capture.substr(first, capture.rfind("RTSP/1.0") - first);
  size_t rtp_frames = 0, rtcp_frames = 0;
  for (size_t at = 0; at + 4 <= frames.size();) {
    ASSERT_EQ(frames[at], '$');
    (frames[at + 1] == 0 ? rtp_frames : rtcp_frames) += 1;
    at += 4 + ((static_cast<uint8_t>(frames[at + 2]) << 8) | static_cast<uint8_t>(frames[at + 3]));
  }
  ASSERT_GT(rtp_frames, 100u);

  int port = 0;
  const int listener = LoopbackSocket(4, &port);
  ASSERT_GE(listener, 0);
  std::atomic<bool> answered{false};
  std::string server_error;
  std::thread server([&] {
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) {
      server_error = "no connection";
      return;
    }
    const int fd = accept(listener, nullptr, nullptr);
    http::Parser requests(http::Protocol::kRtsp, http::Parser::Kind::kRequest);
    http::Parser responses(http::Protocol::kRtsp, http::Parser::Kind::kResponse);
    std::string pending;
    const char* methods[] = {"OPTIONS", "DESCRIBE", "SETUP", "PLAY"};
    for (size_t i = 0; i < 4; ++i) {
      std::optional<http::Message> request = ReadMessage(fd, requests, pending);
      if (!request || request->method != methods[i] || !request->FindHeader("CSeq")) {
        server_error = StrCat("expected ", methods[i]);
        close(fd);
        return;
      }
      SendAll(fd, WithCseq(answers[i], *request->FindHeader("CSeq")));
    }
    // Half the frames, our own request, the rest. Cameras do send GET_PARAMETER / OPTIONS.
    // Cut at the first frame boundary past the middle.
    const size_t half = frames.size() / 2;
    size_t cut = 0;
    while (cut < half) {
      cut += 4 +
             ((static_cast<uint8_t>(frames[cut + 2]) << 8) | static_cast<uint8_t>(frames[cut + 3]));
    }
    SendAll(fd, std::string_view(frames).substr(0, cut));
    SendAll(fd, "GET_PARAMETER rtsp://127.0.0.1/test/ RTSP/1.0\r\nCSeq: 99\r\n\r\n");
    SendAll(fd, std::string_view(frames).substr(cut));
    std::optional<http::Message> reply = ReadMessage(fd, responses, pending);
    if (reply && reply->status == 200 && reply->FindHeader("CSeq") &&
        *reply->FindHeader("CSeq") == "99") {
      answered = true;
    } else {
      server_error = "no 200 with CSeq 99";
    }
    // Stop() sends TEARDOWN for the session the captured SETUP answer created.
    std::optional<http::Message> teardown = ReadMessage(fd, requests, pending);
    if (!teardown || teardown->method != "TEARDOWN") {
      server_error = "no TEARDOWN";
    } else if (teardown->FindHeader("Session") == nullptr ||
               *teardown->FindHeader("Session") != "22p2UkQyYyDgpGhI") {
      server_error = "TEARDOWN without the session";
    }
    close(fd);
  });

  RtspClient& client = MakeClient({.url = StrCat("rtsp://127.0.0.1:", port, "/test"),
                                   .transport = PullTransport::kTcp,
                                   .no_media_timeout_ns = 30 * kNsPerSec});
  client.Start();
  EXPECT_TRUE(RunUntil([&] { return answered.load() && observer_.total >= rtp_frames; }))
      << ClientStateName(client.state()) << ": " << client.last_error() << "; packets "
      << observer_.total;
  EXPECT_EQ(client.state(), ClientState::kPlaying);
  EXPECT_EQ(observer_.total, rtp_frames);
  EXPECT_EQ(observer_.counts[0].regressions, 0u);
  EXPECT_GE(observer_.counts[0].keyframes, 1u);
  EXPECT_EQ(client.stats().server_requests, 1u);
  EXPECT_EQ(client.stats().rtcp_packets, rtcp_frames);
  StopAndExpectNothingInFlight();
  server.join();
  close(listener);
  EXPECT_EQ(server_error, "");
}

// --- no server -------------------------------------------------------------------------------

TEST_F(RtspClientTest, RefusedConnectionsBackOffExponentiallyUpToTheCap) {
  int port = 0;
  const int fd = LoopbackSocket(-1, &port);  // bound, not listening: connections are refused
  ASSERT_GE(fd, 0);

  RtspClient& client = MakeClient({.url = StrCat("rtsp://127.0.0.1:", port, "/cam"),
                                   .backoff_initial_ns = 20 * kNsPerMs,
                                   .backoff_max_ns = 160 * kNsPerMs});
  client.Start();
  std::vector<int64_t> delays;
  std::vector<int64_t> failed_at;
  uint64_t seen_attempt = 0;
  ASSERT_TRUE(RunUntil(
      [&] {
        if (client.state() == ClientState::kWaitingToRetry &&
            client.stats().attempts != seen_attempt) {
          seen_attempt = client.stats().attempts;
          delays.push_back(client.retry_delay_ns());
          failed_at.push_back(NowNs());
        }
        return delays.size() >= 7;
      },
      10 * kNsPerSec));
  EXPECT_EQ(client.last_error(), "connection refused");
  EXPECT_THAT(Log(), Contains(AllOf(HasSubstr("rtsp: path cam1: rtsp://127.0.0.1:"),
                                    HasSubstr("/cam: connection refused; retrying in 0.0"))));
  // 20, 40, 80, 160, 160, ... ms, each drawn from [0.8, 1] of that.
  EXPECT_GE(delays[0], 16 * kNsPerMs);
  EXPECT_LE(delays[0], 20 * kNsPerMs);
  for (size_t i = 1; i < 4; ++i) EXPECT_GT(delays[i], delays[i - 1]) << "delay " << i;
  for (int64_t delay : delays) EXPECT_LE(delay, 160 * kNsPerMs);
  for (size_t i = 4; i < delays.size(); ++i) EXPECT_GE(delays[i], 128 * kNsPerMs) << "delay " << i;
  // The attempts really are that far apart. failed_at is when this loop saw each failure, which
  // may lag it by up to one loop iteration: allow for that much, and no more.
  constexpr int64_t kSeenLate = 5 * kNsPerMs;
  for (size_t i = 1; i < failed_at.size(); ++i) {
    EXPECT_GE(failed_at[i] - failed_at[i - 1] + kSeenLate, delays[i - 1]) << "attempt " << i;
  }
  EXPECT_EQ(client.stats().attempts, 7u);
  EXPECT_EQ(observer_.ready_calls, 0);
  EXPECT_TRUE(observer_.lost.empty());

  ASSERT_EQ(client.state(), ClientState::kWaitingToRetry);
  StopAndExpectNothingInFlight();
  RunFor(300 * kNsPerMs);
  EXPECT_EQ(client.stats().attempts, 7u) << "no retry after Stop()";
  close(fd);
}

// A listener whose accept queue is full drops further SYNs: connecting to it hangs.
class FullListener {
 public:
  FullListener() {
    fd_ = LoopbackSocket(0, &port_);
    for (int i = 0; i < 4 && fd_ >= 0; ++i) {
      const int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port_));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      fillers_.push_back(c);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~FullListener() {
    for (int c : fillers_) close(c);
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

TEST_F(RtspClientTest, ConnectTimesOutAndStopWhileConnectingLeavesNothingInFlight) {
  FullListener listener;
  ASSERT_GT(listener.port(), 0);
  RtspClient& client = MakeClient({.url = StrCat("rtsp://127.0.0.1:", listener.port(), "/cam"),
                                   .connect_timeout_ns = 300 * kNsPerMs,
                                   .backoff_initial_ns = 100 * kNsPerMs});
  client.Start();
  EXPECT_EQ(client.state(), ClientState::kConnecting);
  ASSERT_TRUE(
      RunUntil([&] { return client.state() == ClientState::kWaitingToRetry; }, 5 * kNsPerSec))
      << ClientStateName(client.state());
  EXPECT_THAT(client.last_error(), HasSubstr("no connection within 0.3 s"));
  // The next attempt hangs too; stop it halfway.
  ASSERT_TRUE(RunUntil([&] { return client.state() == ClientState::kConnecting; }, 5 * kNsPerSec));
  RunFor(100 * kNsPerMs);
  ASSERT_EQ(client.state(), ClientState::kConnecting);
  EXPECT_GT(ring_->inflight(), baseline_inflight_) << "the connect is in flight";
  StopAndExpectNothingInFlight();
  EXPECT_TRUE(observer_.lost.empty());
}

TEST_F(RtspClientTest, DestroyingWhileConnectingIsSafe) {
  FullListener listener;
  ASSERT_GT(listener.port(), 0);
  MakeClient({.url = StrCat("rtsp://127.0.0.1:", listener.port(), "/cam")});
  client_->Start();
  RunFor(50 * kNsPerMs);
  ASSERT_EQ(client_->state(), ClientState::kConnecting);
  client_.reset();  // Retires the connect: the ring deletes it once the cancel has drained
  EXPECT_TRUE(RunUntil([&] { return ring_->inflight() == baseline_inflight_; }, 5 * kNsPerSec));
}

TEST_F(RtspClientTest, BadUrlStopsWithoutRetrying) {
  RtspClient& client = MakeClient({.url = "http://user:secret@127.0.0.1/cam"});
  client.Start();
  EXPECT_EQ(client.state(), ClientState::kStopped);
  EXPECT_THAT(client.last_error(), HasSubstr("bad URL"));
  for (const std::string& line : Log()) EXPECT_THAT(line, Not(HasSubstr("secret")));
  EXPECT_EQ(client.stats().attempts, 0u);
}

}  // namespace
}  // namespace ringcast::net::rtsp
