// PathHub: paths from settings and from publishers, who may publish and read, sources the hub
// starts through its factory (on demand too), keyframe requests and the per-path figures.
#include "rtp/hub/path_hub.h"

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rtp/hub/path_feed.h"
#include "rtp/rtp_packet.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::hub {
namespace {

using ::testing::ElementsAre;

class FakeClient final : public PathClient {
 public:
  void OnPathGone(std::string_view reason) override { gone.emplace_back(reason); }
  void OnPathReady() override { ++ready; }
  std::vector<std::string> gone;
  int ready = 0;
};

TrackInfo H264Track() {
  TrackInfo info;
  info.media = "video";
  info.encoding_name = "H264";
  info.keyframe_codec = KeyframeCodec::kH264;
  return info;
}

// A source the test drives by hand: Start() makes it ready at once, like the demo clip.
class FakeSource final : public Source {
 public:
  FakeSource(SourceObserver& observer, int* keyframe_requests, bool* alive)
      : observer_(observer), keyframe_requests_(keyframe_requests), alive_(alive) {
    *alive_ = true;
  }
  ~FakeSource() override { *alive_ = false; }
  void Start() override { observer_.OnSourceReady({H264Track()}); }
  void Stop() override { stopped_ = true; }
  bool RequestKeyframe(size_t) override {
    ++*keyframe_requests_;
    return true;
  }
  std::string_view description() const override { return "fake camera"; }

 private:
  SourceObserver& observer_;
  int* keyframe_requests_;
  bool* alive_;
  bool stopped_ = false;
};

class FakeFactory final : public SourceFactory {
 public:
  absl::StatusOr<std::unique_ptr<Source>> CreateSource(std::string_view, const PathConfig& config,
                                                       core::Ring&, core::BufferRing&,
                                                       SourceObserver& observer) override {
    ++created;
    if (config.source == "broken") return absl::NotFoundError("no such thing");
    return std::unique_ptr<Source>(
        std::make_unique<FakeSource>(observer, &keyframe_requests, &source_alive));
  }
  int created = 0;
  int keyframe_requests = 0;
  bool source_alive = false;
};

class PathHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ring = core::Ring::Create({});
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(ring).value();
    auto buffers = core::BufferRing::Create(*ring_, 1, 16, 2048);
    ASSERT_TRUE(buffers.ok()) << buffers.status();
    buffers_ = std::move(buffers).value();
    hub_ = std::make_unique<PathHub>(*ring_, *buffers_, factory_, directory_, 0, HubOptions{});
  }
  void TearDown() override {
    hub_.reset();
    buffers_.reset();
    ring_.reset();
  }
  void RunFor(int64_t ns) {
    int64_t until = core::NowNs() + ns;
    while (core::NowNs() < until) ring_->RunOnce(5 * core::kNsPerMs);
  }
  double Stat(const std::string& name) {
    for (const core::StatSample& sample : hub_->Snapshot()) {
      if (sample.name == name) return sample.value;
    }
    return -1;
  }

  FakeFactory factory_;
  PathDirectory directory_{1};
  // Clients outlive the hub, which cuts off whoever is still attached when it goes.
  FakeClient publisher, reader, late, first, second;
  std::unique_ptr<core::Ring> ring_;
  std::unique_ptr<core::BufferRing> buffers_;
  std::unique_ptr<PathHub> hub_;
};

TEST_F(PathHubTest, ConfiguredPathsAreFoundAndPublishersNeedOneUnlessPublishAny) {
  hub_->Configure("cam1", PathConfig{});
  EXPECT_NE(hub_->Find("cam1", false), nullptr);
  EXPECT_EQ(hub_->Find("other", false), nullptr);
  EXPECT_EQ(hub_->Find("other", true), nullptr);
  hub_->SetPublishAny(true);
  Path* created = hub_->Find("other", true);
  ASSERT_NE(created, nullptr);
  EXPECT_FALSE(created->configured);
  // A path a publisher created is forgotten once nobody uses it.
  ASSERT_TRUE(hub_->Publish(*created, &publisher, "10.0.0.7:5000", {H264Track()}));
  EXPECT_TRUE(created->live());
  hub_->Unpublish(*created, &publisher);
  EXPECT_EQ(hub_->Find("other", false), nullptr);
  EXPECT_NE(hub_->Find("cam1", false), nullptr);  // configured paths stay
}

TEST_F(PathHubTest, ASecondPublisherIsRefusedUnlessThePathAllowsOverriding) {
  hub_->Configure("cam1", PathConfig{});
  Path& path = *hub_->Find("cam1", false);
  ASSERT_TRUE(hub_->Publish(path, &first, "a", {H264Track()}));
  EXPECT_FALSE(hub_->Publish(path, &second, "b", {H264Track()}));
  PathConfig config;
  config.override_publisher = true;
  hub_->Configure("cam1", config);
  ASSERT_TRUE(hub_->Publish(path, &second, "b", {H264Track()}));
  EXPECT_THAT(first.gone, ElementsAre("another publisher took over the path"));
  EXPECT_EQ(path.publisher, &second);
}

TEST_F(PathHubTest, ReadersOfRebuiltTracksAreCutOffAndMaxReadersHolds) {
  PathConfig config;
  config.max_readers = 1;
  hub_->Configure("cam1", config);
  Path& path = *hub_->Find("cam1", false);
  ASSERT_TRUE(hub_->Publish(path, &publisher, "a", {H264Track()}));
  EXPECT_TRUE(hub_->AddReader(path, &reader));
  EXPECT_FALSE(hub_->AddReader(path, &late));
  hub_->Unpublish(path, &publisher);
  // The same media again: the tracks stay and so does the reader.
  ASSERT_TRUE(hub_->Publish(path, &publisher, "a", {H264Track()}));
  EXPECT_TRUE(reader.gone.empty());
  TrackInfo audio;
  audio.media = "audio";
  audio.encoding_name = "opus";
  audio.clock_rate = 48000;
  ASSERT_TRUE(hub_->Publish(path, &publisher, "a", {audio}));
  EXPECT_THAT(reader.gone, ElementsAre("the source's tracks changed"));
}

TEST_F(PathHubTest, ASourcedPathRunsItsSourceThroughTheFactory) {
  PathConfig config;
  config.source = "rtsp://camera/stream";
  hub_->Configure("cam1", config);
  Path& path = *hub_->Find("cam1", false);
  EXPECT_EQ(factory_.created, 1);
  EXPECT_TRUE(path.source_running());
  EXPECT_TRUE(path.live());
  EXPECT_EQ(path.publisher_peer, "fake camera");
  ring_->RunOnce(0);
  hub_->RequestKeyframe(path, 0);
  hub_->RequestKeyframe(path, 0);  // within 500 ms: not forwarded again
  EXPECT_EQ(factory_.keyframe_requests, 1);
  EXPECT_EQ(path.keyframe_requests, 1u);
  // A publisher cannot take a sourced path (the RTSP server refuses it before asking).
  hub_->Remove("cam1");
  EXPECT_FALSE(factory_.source_alive);
  EXPECT_EQ(hub_->Find("cam1", false), nullptr);
}

TEST_F(PathHubTest, ASourceThatCannotStartLeavesThePathWithout) {
  PathConfig config;
  config.source = "broken";
  hub_->Configure("cam1", config);
  Path& path = *hub_->Find("cam1", false);
  EXPECT_FALSE(path.source_running());
  EXPECT_FALSE(path.live());
}

TEST_F(PathHubTest, AnOnDemandSourceStartsForAReaderAndStopsAfterTheLastOne) {
  PathConfig config;
  config.source = "rtsp://camera/stream";
  config.on_demand = true;
  config.on_demand_close_after_ns = 50 * core::kNsPerMs;
  hub_->Configure("cam1", config);
  Path& path = *hub_->Find("cam1", false);
  EXPECT_EQ(factory_.created, 0);
  hub_->WantSource(path);
  EXPECT_EQ(factory_.created, 1);
  ASSERT_TRUE(hub_->AddReader(path, &reader));
  RunFor(100 * core::kNsPerMs);
  EXPECT_TRUE(factory_.source_alive);  // a reader keeps it
  hub_->RemoveReader(path, &reader);
  RunFor(150 * core::kNsPerMs);
  EXPECT_FALSE(factory_.source_alive);
  EXPECT_FALSE(path.source_running());
}

TEST_F(PathHubTest, RemovingAPathCutsEveryoneOff) {
  hub_->Configure("cam1", PathConfig{});
  Path& path = *hub_->Find("cam1", false);
  ASSERT_TRUE(hub_->Publish(path, &publisher, "a", {H264Track()}));
  ASSERT_TRUE(hub_->AddReader(path, &reader));
  hub_->Remove("cam1");
  EXPECT_THAT(publisher.gone, ElementsAre("the path was removed"));
  EXPECT_THAT(reader.gone, ElementsAre("the path was removed"));
}

TEST_F(PathHubTest, FiguresArePublishedPerPath) {
  hub_->Configure("cam1", PathConfig{});
  Path& path = *hub_->Find("cam1", false);
  ASSERT_TRUE(hub_->Publish(path, &publisher, "a", {H264Track()}));
  ASSERT_TRUE(hub_->AddReader(path, &reader));
  RunFor(1100 * core::kNsPerMs);  // the snapshot is taken once a second
  EXPECT_EQ(Stat("stats.path.cam1.publishing"), 1);
  EXPECT_EQ(Stat("stats.path.cam1.readers"), 1);
  EXPECT_EQ(Stat("stats.path.cam1.packets_in"), 0);
  EXPECT_EQ(Stat("stats.path.cam1.source_ready"), -1);  // only sourced paths have it
}

// --- several workers: two hubs sharing a directory -------------------------------------------

// Collects what the hubs send each other and delivers it when the test pumps, as the workers'
// rings would (in order, later, on the receiving hub).
class FakePeers {
 public:
  PathHub::PeerHubs For(int from) {
    return [this](int to, std::function<void(PathHub&)> task) {
      queue.push_back({to, std::move(task)});
    };
  }
  void Pump(std::vector<PathHub*> hubs) {
    while (!queue.empty()) {
      auto [to, task] = std::move(queue.front());
      queue.erase(queue.begin());
      task(*hubs[static_cast<size_t>(to)]);
    }
  }
  std::vector<std::pair<int, std::function<void(PathHub&)>>> queue;
};

class CountingReader final : public TrackReader {
 public:
  void OnTrackPacket(Track&, const HistoryPacket& packet) override { seqs.push_back(packet.seq); }
  std::vector<uint64_t> seqs;
};

class TwoHubsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      auto ring = core::Ring::Create({});
      ASSERT_TRUE(ring.ok()) << ring.status();
      rings_[i] = std::move(ring).value();
      auto buffers = core::BufferRing::Create(*rings_[i], 1, 16, 2048);
      ASSERT_TRUE(buffers.ok()) << buffers.status();
      buffers_[i] = std::move(buffers).value();
      HubOptions options;
      options.publish_any = true;
      options.mirror_linger_ns = 20 * core::kNsPerMs;
      hubs_[i] =
          std::make_unique<PathHub>(*rings_[i], *buffers_[i], factory_, directory_, i, options);
      hubs_[i]->SetPeers(peers_.For(i));
    }
    packets_ = rtp::testing::ReadCapture("h264_ffmpeg_fua.rtp");
  }
  void TearDown() override {
    for (int i = 1; i >= 0; --i) {
      hubs_[i].reset();
      buffers_[i].reset();
    }
    peers_.queue.clear();
    for (auto& ring : rings_) ring.reset();
  }
  void Pump() {
    for (int round = 0; round < 3; ++round) {
      for (auto& ring : rings_) ring->RunOnce(0);  // batch ends: relays wake their consumer
      peers_.Pump({hubs_[0].get(), hubs_[1].get()});
    }
  }
  void Ingest(Path& path, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      std::optional<RtpView> view = RtpView::Parse(packets_[i]);
      ASSERT_TRUE(view);
      path.stream->track(0).Ingest(*view, core::NowNs());
    }
  }

  FakeFactory factory_;
  PathDirectory directory_{2};
  FakePeers peers_;
  FakeClient publisher_, viewer_;
  std::unique_ptr<core::Ring> rings_[2];
  std::unique_ptr<core::BufferRing> buffers_[2];
  std::unique_ptr<PathHub> hubs_[2];
  std::vector<rtp::testing::Packet> packets_;
};

TEST_F(TwoHubsTest, AnAlwaysOnSourceRunsOnOneWorkerOnly) {
  PathConfig config;
  config.source = "rtsp://camera/stream";
  hubs_[0]->Configure("cam", config);
  hubs_[1]->Configure("cam", config);
  EXPECT_EQ(factory_.created, 1);
  int owner = directory_.Owner("cam");
  ASSERT_GE(owner, 0);
  EXPECT_TRUE(hubs_[owner]->Find("cam", false)->owned);
  EXPECT_FALSE(hubs_[1 - owner]->Find("cam", false)->owned);
  EXPECT_EQ(hubs_[1 - owner]->Route(*hubs_[1 - owner]->Find("cam", false), PathHub::Intent::kRead),
            owner);
}

TEST_F(TwoHubsTest, APinnedPathGoesWhereItIsPinnedAndTheNextOneElsewhere) {
  PathConfig pinned;
  pinned.worker = 1;
  hubs_[0]->Configure("a", pinned);
  hubs_[1]->Configure("a", pinned);
  hubs_[0]->Configure("b", PathConfig{});
  hubs_[1]->Configure("b", PathConfig{});
  EXPECT_EQ(hubs_[0]->Route(*hubs_[0]->Find("a", true), PathHub::Intent::kPublish), 1);
  EXPECT_EQ(hubs_[0]->Route(*hubs_[0]->Find("b", true), PathHub::Intent::kPublish), 0);
  // A publisher's path leaves the directory when nobody uses it.
  Path& b = *hubs_[0]->Find("b", true);
  ASSERT_TRUE(hubs_[0]->Publish(b, &publisher_, "x", {H264Track()}));
  hubs_[0]->Unpublish(b, &publisher_);
  EXPECT_EQ(directory_.Owner("b"), -1);
  EXPECT_EQ(directory_.Owner("a"), 1);  // placed, nobody there yet: stays until released
}

TEST_F(TwoHubsTest, AReplicaGetsTheHistoryThenEveryPacketAndGoesWhenIdle) {
  Path& owned = *hubs_[0]->Find("cam", true);
  ASSERT_EQ(hubs_[0]->Route(owned, PathHub::Intent::kPublish), 0);
  ASSERT_TRUE(hubs_[0]->Publish(owned, &publisher_, "x", {H264Track()}));
  Ingest(owned, 0, 30);
  hubs_[0]->EnsureRelay(owned, 1);
  Pump();
  Path* replica = hubs_[1]->Find("cam", false);
  ASSERT_NE(replica, nullptr);
  ASSERT_TRUE(replica->live());
  EXPECT_FALSE(replica->owned);
  const History& theirs = owned.stream->track(0).history();
  const History& ours = replica->stream->track(0).history();
  EXPECT_EQ(ours.begin_seq(), theirs.begin_seq());
  EXPECT_EQ(ours.end_seq(), theirs.end_seq());
  EXPECT_EQ(ours.last_keyframe_seq(), theirs.last_keyframe_seq());  // found again, the same
  // A viewer on the replica worker: live packets arrive, the same bytes the owner stored.
  CountingReader reader;
  ASSERT_TRUE(hubs_[1]->AddReader(*replica, &viewer_));
  replica->stream->track(0).AddReader(&reader);
  Ingest(owned, 30, 56);
  Pump();
  ASSERT_EQ(reader.seqs.size(), 26u);
  EXPECT_EQ(reader.seqs.back() + 1, theirs.end_seq());
  for (uint64_t seq = theirs.begin_seq(); seq < theirs.end_seq(); ++seq) {
    std::optional<HistoryPacket> a = theirs.Find(seq), b = ours.Find(seq);
    ASSERT_EQ(a.has_value(), b.has_value());
    if (a) {
      EXPECT_TRUE(std::equal(a->bytes.begin(), a->bytes.end(), b->bytes.begin(), b->bytes.end()));
    }
  }
  EXPECT_EQ(owned.relays.size(), 1u);
  // The viewer leaves; after the linger the replica is offered back, taken, and dropped.
  replica->stream->track(0).RemoveReader(&reader);
  hubs_[1]->RemoveReader(*replica, &viewer_);
  int64_t give_up = core::NowNs() + 2 * core::kNsPerSec;
  while (hubs_[1]->mirrors() > 0 && core::NowNs() < give_up) {
    rings_[1]->RunOnce(5 * core::kNsPerMs);
    Pump();
  }
  EXPECT_EQ(hubs_[1]->mirrors(), 0u);
  EXPECT_EQ(hubs_[0]->relays(), 0u);
}

TEST_F(TwoHubsTest, ANewViewerOnItsWayKeepsTheReplica) {
  Path& owned = *hubs_[0]->Find("cam", true);
  ASSERT_EQ(hubs_[0]->Route(owned, PathHub::Intent::kPublish), 0);
  ASSERT_TRUE(hubs_[0]->Publish(owned, &publisher_, "x", {H264Track()}));
  Ingest(owned, 0, 10);
  hubs_[0]->EnsureRelay(owned, 1);
  Pump();
  // The replica offers the relay back (attach 1) while the owner sends another viewer (attach 2).
  hubs_[1]->RunOnPeer(0, [](PathHub& owner) { owner.ReleaseRelay("cam", 1, 1); });
  hubs_[0]->EnsureRelay(owned, 1);
  Pump();
  EXPECT_EQ(hubs_[0]->relays(), 1u);
  EXPECT_EQ(hubs_[1]->mirrors(), 1u);
}

TEST_F(TwoHubsTest, ThePathGoingOnItsOwnerCutsTheReplicasViewersOff) {
  Path& owned = *hubs_[0]->Find("cam", true);
  ASSERT_EQ(hubs_[0]->Route(owned, PathHub::Intent::kPublish), 0);
  ASSERT_TRUE(hubs_[0]->Publish(owned, &publisher_, "x", {H264Track()}));
  Ingest(owned, 0, 10);
  hubs_[0]->EnsureRelay(owned, 1);
  Pump();
  Path* replica = hubs_[1]->Find("cam", false);
  ASSERT_NE(replica, nullptr);
  ASSERT_TRUE(hubs_[1]->AddReader(*replica, &viewer_));
  TrackInfo audio;
  audio.media = "audio";
  audio.encoding_name = "opus";
  audio.clock_rate = 48000;
  ASSERT_TRUE(hubs_[0]->Publish(owned, &publisher_, "x", {audio}));  // tracks rebuilt
  Pump();
  EXPECT_THAT(viewer_.gone, ElementsAre("the source's tracks changed"));
  EXPECT_EQ(hubs_[1]->mirrors(), 0u);
}

}  // namespace
}  // namespace ringcast::rtp::hub
