#include "tools/loadgen/loadgen.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "crypto/certificate.h"

namespace ringcast::loadgen {
namespace {

using core::StrCat;

constexpr int64_t kNackTickNs = 20 * core::kNsPerMs;
constexpr int64_t kAttackTickNs = 10 * core::kNsPerMs;  // --nack-attack: 100 NACKs a second
constexpr int kMaxWhepAttempts = 10;  // a path whose publisher is not up yet answers 404
constexpr int64_t kViewerLeadNs = 1500 * core::kNsPerMs;  // after the last publisher started

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

ViewerCounts SumCounts(const std::vector<std::unique_ptr<Viewer>>& viewers) {
  ViewerCounts sum;
  for (const auto& v : viewers) Accumulate(sum, v->counts());
  return sum;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Loadgen>> Loadgen::Create(const Options& options) {
  std::unique_ptr<Loadgen> l(new Loadgen(options));
  RETURN_IF_ERROR(l->Init());
  return l;
}

Loadgen::~Loadgen() {
  // Sessions first: their timers and retirees belong to the ring.
  viewers_.clear();
  publishers_.clear();
  publisher_timer_.reset();
  ramp_timer_.reset();
  second_timer_.reset();
  nack_timer_.reset();
  attack_timer_.reset();
  rr_timer_.reset();
  warmup_timer_.reset();
  end_timer_.reset();
  migrate_timer_.reset();
  signals_.reset();
  env_.reset();
  if (ring_) ring_->Close();
}

absl::Status Loadgen::Init() {
  clip_ = options_.clip.empty() ? std::string(RINGCAST_LOADGEN_DEFAULT_CLIP) : options_.clip;
  if (options_.publish + options_.rtp_streams > 0 && ::access(clip_.c_str(), R_OK) != 0) {
    return absl::NotFoundError(StrCat("clip ", clip_,
                                      " is not readable: build the ringcast_loadgen_clip target "
                                      "(needs ffmpeg) or pass --clip FILE"));
  }
  ASSIGN_OR_RETURN(ring_, core::Ring::Create({.entries = 2048, .name = "loadgen"}));
  ASSIGN_OR_RETURN(buffers_, core::BufferRing::Create(*ring_, 1, 4096, 2048));
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::Certificate> cert,
                   crypto::Certificate::Generate());
  const std::string fingerprint = cert->fingerprint_sha256();
  ASSIGN_OR_RETURN(dtls_, crypto::DtlsContext::Create(std::move(cert), crypto::DtlsConfig{}));
  env_ = std::make_unique<ViewerEnv>(ViewerEnv{
      .ring = *ring_,
      .buffers = *buffers_,
      .dtls = *dtls_,
      .fingerprint = fingerprint,
      .verify_one_in = options_.verify_one_in,
      .nack = NackPolicy{.enabled = options_.nack},
      .simulate_loss_one_in = options_.simulate_loss_one_in,
      .nack_attack = options_.nack_attack,
      .nack_attackers = options_.nack_attackers,
  });
  ASSIGN_OR_RETURN(signals_, core::SignalWatcher::Create(*ring_, {SIGINT, SIGTERM}, [this](int) {
                     Finish(/*interrupted=*/true);
                   }));

  // Publishers.
  if (options_.publish > 0) {
    for (int i = 0; i < options_.publish; ++i) {
      PublisherConfig c;
      c.kind = options_.transport == PublishTransport::kTcp ? PublisherConfig::Kind::kRtspTcp
                                                            : PublisherConfig::Kind::kRtspUdp;
      c.index = i;
      c.url = ExpandTemplate(options_.rtsp_url, i);
      ASSIGN_OR_RETURN(const SimpleUrl url, ParseSimpleUrl(c.url));
      c.host = url.host;
      c.port = url.port;
      c.clip = clip_;
      c.fps = options_.fps;
      publisher_info_.push_back({.index = i, .target = c.url});
      publishers_.push_back(std::make_unique<Publisher>(*ring_, *buffers_, std::move(c)));
    }
  } else {
    const size_t colon = options_.rtp_publish.rfind(':');
    for (int i = 0; i < options_.rtp_streams; ++i) {
      PublisherConfig c;
      c.kind = PublisherConfig::Kind::kRtp;
      c.index = i;
      c.host = options_.rtp_publish.substr(0, colon);
      c.port = static_cast<uint16_t>(std::stoi(options_.rtp_publish.substr(colon + 1)) + 2 * i);
      c.clip = clip_;
      c.fps = options_.fps;
      c.url = StrCat(c.host, ":", c.port);
      publisher_info_.push_back({.index = i, .target = c.url});
      publishers_.push_back(std::make_unique<Publisher>(*ring_, *buffers_, std::move(c)));
    }
  }
  publisher_base_.assign(publishers_.size(), 0);
  publisher_base_bytes_.assign(publishers_.size(), 0);

  // Viewers: made now, started by the ramp.
  if (!options_.janus_url.empty()) {
    ASSIGN_OR_RETURN(const SimpleUrl url, ParseSimpleUrl(options_.janus_url));
    const std::vector<int>& ids = options_.janus_mountpoints;
    for (int i = 0; i < options_.view; ++i) {
      const int id = ids[static_cast<size_t>(i) % ids.size()];
      viewer_urls_.push_back(url);
      viewers_.push_back(std::make_unique<Viewer>(*env_, i, StrCat("mountpoint", id), url.host,
                                                  url.port, url.target));
      viewers_.back()->UseJanus(static_cast<uint64_t>(id));
    }
  }
  for (int i = 0; i < options_.view && options_.janus_url.empty(); ++i) {
    ASSIGN_OR_RETURN(const SimpleUrl url,
                     ParseSimpleUrl(ExpandTemplate(options_.whep_url, i % options_.paths)));
    viewer_urls_.push_back(url);
    // The path's name for the report: the target without "/" in front and "/whep" behind.
    std::string_view path = url.target;
    if (path.starts_with('/')) path.remove_prefix(1);
    if (path.ends_with("/whep")) path.remove_suffix(5);
    viewers_.push_back(
        std::make_unique<Viewer>(*env_, i, std::string(path), url.host, url.port, url.target));
  }
  viewer_base_.assign(viewers_.size(), ViewerCounts{});
  viewer_attempts_.assign(viewers_.size(), 0);
  return absl::OkStatus();
}

double Loadgen::CpuSeconds() const {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return Seconds(u.ru_utime) + Seconds(u.ru_stime);
}

void Loadgen::StartNextPublisher() {
  if (next_publisher_ >= publishers_.size()) return;
  publishers_[next_publisher_++]->Start();
  if (next_publisher_ < publishers_.size()) {
    publisher_timer_->ArmAt(start_ns_ + static_cast<int64_t>(next_publisher_) *
                                            options_.stagger_ms * core::kNsPerMs);
  }
}

void Loadgen::StartViewer(size_t i) {
  ++pending_;
  ++viewer_attempts_[i];
  viewers_[i]->Start([this, i] {
    --pending_;
    const Viewer& v = *viewers_[i];
    // The path may not be published yet: try again later (from the ramp timer, never from
    // inside the viewer's own callback).
    if (v.state() == Viewer::State::kFailed && viewer_attempts_[i] < kMaxWhepAttempts &&
        (v.error() == "whep: HTTP 404" || v.error().starts_with("whep: connect"))) {
      retry_.push_back(i);
    }
  });
}

void Loadgen::OnRampTick() {
  const int64_t interval = core::kNsPerSec / options_.ramp_per_s;
  if (pending_ < options_.max_pending && !retry_.empty()) {
    // The old viewer is done and owns no callbacks any more: replace it with a fresh one.
    const size_t i = retry_.front();
    retry_.pop_front();
    const SimpleUrl& url = viewer_urls_[i];
    viewers_[i] = std::make_unique<Viewer>(*env_, static_cast<int>(i), viewers_[i]->path(),
                                           url.host, url.port, url.target);
    StartViewer(i);
  } else if (pending_ < options_.max_pending && next_viewer_ < viewers_.size()) {
    StartViewer(next_viewer_++);
  }
  if (next_viewer_ < viewers_.size() || !retry_.empty() || pending_ > 0) {
    ramp_timer_->ArmAfter(interval);
  }
}

void Loadgen::OnWarmupEnd() {
  measuring_ = true;
  measure_start_ns_ = core::NowNs();
  cpu_at_measure_start_ = CpuSeconds();
  ::getrusage(RUSAGE_SELF, &usage_at_measure_start_);
  for (size_t i = 0; i < viewers_.size(); ++i) viewer_base_[i] = viewers_[i]->counts();
  for (size_t i = 0; i < publishers_.size(); ++i) {
    publisher_base_[i] = publishers_[i]->packets_sent();
    publisher_base_bytes_[i] = publishers_[i]->bytes_sent();
  }
}

void Loadgen::OnSecond() {
  const int64_t now = core::NowNs();
  SecondSample s;
  s.t_s = static_cast<double>(now - start_ns_) / core::kNsPerSec;
  s.measured = measuring_;
  const ViewerCounts totals = SumCounts(viewers_);
  s.viewers = Subtract(totals, last_second_totals_);
  last_second_totals_ = totals;
  uint64_t publisher_packets = 0;
  int streaming = 0;
  for (const auto& p : publishers_) {
    publisher_packets += p->packets_sent();
    if (p->state() == Publisher::State::kStreaming) ++streaming;
  }
  s.publisher_packets = publisher_packets - last_second_publisher_packets_;
  last_second_publisher_packets_ = publisher_packets;
  for (const auto& v : viewers_) {
    if (v->state() == Viewer::State::kMedia) ++s.viewers_media;
  }
  const double cpu = CpuSeconds();
  s.cpu_percent = 100 * (cpu - cpu_at_last_second_);
  cpu_at_last_second_ = cpu;
  result_.seconds.push_back(s);
  if (!options_.quiet) {
    std::fprintf(stderr,
                 "[%5.0fs/%.0fs]%s publishers %d/%zu, viewers %d/%zu (%d signalling), "
                 "%llu pkt/s, lost %llu, loadgen cpu %.1f%%\n",
                 s.t_s, options_.warmup_s + options_.duration_s, measuring_ ? "" : " warm-up",
                 streaming, publishers_.size(), s.viewers_media, viewers_.size(), pending_,
                 static_cast<unsigned long long>(s.viewers.seq.packets),
                 static_cast<unsigned long long>(s.viewers.seq.lost), s.cpu_percent);
  }
  next_second_ns_ += core::kNsPerSec;
  second_timer_->ArmAt(next_second_ns_);
}

void Loadgen::Finish(bool interrupted) {
  if (ring_->stopping()) return;
  const int64_t now = core::NowNs();
  if (!measuring_) OnWarmupEnd();  // interrupted during the warm-up: measure nothing
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  result_.interrupted = interrupted;
  result_.wall_s = static_cast<double>(now - start_ns_) / core::kNsPerSec;
  result_.measured_s = static_cast<double>(now - measure_start_ns_) / core::kNsPerSec;
  result_.cpu_user_s = Seconds(usage.ru_utime) - Seconds(usage_at_measure_start_.ru_utime);
  result_.cpu_system_s = Seconds(usage.ru_stime) - Seconds(usage_at_measure_start_.ru_stime);
  result_.max_rss_kb = usage.ru_maxrss;
  for (size_t i = 0; i < publishers_.size(); ++i) {
    const Publisher& p = *publishers_[i];
    PublisherResult& r = publisher_info_[i];
    r.state = next_publisher_ > i ? PublisherStateName(p.state()) : "not started";
    r.error = p.error();
    r.packets = p.packets_sent() - publisher_base_[i];
    r.bytes = p.bytes_sent() - publisher_base_bytes_[i];
    r.send_errors = p.send_errors();
  }
  result_.publishers = publisher_info_;
  for (size_t i = 0; i < viewers_.size(); ++i) {
    const Viewer& v = *viewers_[i];
    ViewerResult r;
    r.index = v.index();
    r.path = v.path();
    r.state = ViewerStateName(v.state());
    r.error = v.error();
    r.counts = Subtract(v.counts(), viewer_base_[i]);
    r.first_keyframe_ms = v.first_keyframe_ms();
    result_.viewers.push_back(std::move(r));
  }
  // Tear down: DTLS close_notify to the server, publishers stop, then the loop ends (Run drains
  // whatever is still in flight).
  for (auto& v : viewers_) v->Close();
  for (auto& p : publishers_) p->Stop();
  for (auto* t : {publisher_timer_.get(), ramp_timer_.get(), second_timer_.get(), nack_timer_.get(),
                  attack_timer_.get(), rr_timer_.get(), warmup_timer_.get(), end_timer_.get(),
                  migrate_timer_.get()}) {
    t->Disarm();
  }
  ring_->Stop();
}

RunResult Loadgen::Run() {
  result_.options = options_;
  result_.started_utc = UtcNow();
  start_ns_ = core::NowNs();
  cpu_at_last_second_ = CpuSeconds();
  core::Ring& ring = *ring_;
  publisher_timer_ = std::make_unique<core::Timer>(ring, [this] { StartNextPublisher(); });
  ramp_timer_ = std::make_unique<core::Timer>(ring, [this] { OnRampTick(); });
  second_timer_ = std::make_unique<core::Timer>(ring, [this] { OnSecond(); });
  nack_timer_ = std::make_unique<core::Timer>(ring, [this] {
    const int64_t now = core::NowNs();
    for (auto& v : viewers_) {
      if (v->has_missing()) v->OnNackTick(now);
    }
    nack_timer_->ArmAfter(kNackTickNs);
  });
  attack_timer_ = std::make_unique<core::Timer>(ring, [this] {
    for (auto& v : viewers_) {
      if (v->attacker()) v->OnAttackTick();
    }
    attack_timer_->ArmAfter(kAttackTickNs);
  });
  rr_timer_ = std::make_unique<core::Timer>(ring, [this] {
    const int64_t now = core::NowNs();
    for (auto& v : viewers_) v->SendReceiverReport(now);
    rr_timer_->ArmAfter(options_.rr_interval_ms * core::kNsPerMs);
  });
  warmup_timer_ = std::make_unique<core::Timer>(ring, [this] { OnWarmupEnd(); });
  end_timer_ = std::make_unique<core::Timer>(ring, [this] { Finish(/*interrupted=*/false); });
  migrate_timer_ = std::make_unique<core::Timer>(ring, [this] {
    for (auto& v : viewers_) v->Migrate();
  });

  if (!publishers_.empty()) publisher_timer_->ArmAt(start_ns_);
  if (!viewers_.empty()) {
    const int64_t lead = publishers_.empty() ? 0
                                             : static_cast<int64_t>(publishers_.size() - 1) *
                                                       options_.stagger_ms * core::kNsPerMs +
                                                   kViewerLeadNs;
    ramp_timer_->ArmAt(start_ns_ + lead);
    nack_timer_->ArmAfter(kNackTickNs);
    if (options_.nack_attack != NackAttack::kNone) attack_timer_->ArmAfter(kAttackTickNs);
    rr_timer_->ArmAfter(options_.rr_interval_ms * core::kNsPerMs);
  }
  next_second_ns_ = start_ns_ + core::kNsPerSec;
  second_timer_->ArmAt(next_second_ns_);
  const auto warmup_ns = static_cast<int64_t>(options_.warmup_s * core::kNsPerSec);
  const auto duration_ns = static_cast<int64_t>(options_.duration_s * core::kNsPerSec);
  if (warmup_ns > 0) {
    warmup_timer_->ArmAt(start_ns_ + warmup_ns);
  } else {
    OnWarmupEnd();
  }
  end_timer_->ArmAt(start_ns_ + warmup_ns + duration_ns);
  if (options_.migrate_after_s > 0) {
    migrate_timer_->ArmAt(start_ns_ + static_cast<int64_t>(options_.migrate_after_s * 1e9));
  }
  ring.Run();
  return std::move(result_);
}

}  // namespace ringcast::loadgen
