#include "core/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/build_info.h"
#include "core/clock.h"
#include "core/counters.h"
#include "core/ctl_service.h"
#include "core/log.h"
#include "core/metrics_text.h"
#include "core/sd_notify.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/strings.h"
#include "core/tunables.h"
#include "core/worker.h"
#include "net/ctl_server.h"
#include "net/http/server.h"
#include "net/rtsp/path_hub.h"
#include "net/rtsp/server.h"
#include "rtp/demo_source.h"
#if RINGCAST_WEBRTC
#include "net/webrtc/server.h"
#endif

namespace ringcast::core {
namespace {

// The directory of the running binary: the build tree keeps the demo clip next to it.
std::string ExecutableDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

void LogMultiline(LogLevel level, std::string_view prefix, std::string_view text) {
  while (!text.empty()) {
    size_t eol = text.find('\n');
    LogLine(level, StrCat(prefix, text.substr(0, eol)));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  }
}

class Daemon {
 public:
  explicit Daemon(const DaemonOptions& options) : options_(options) {}
  int Run();

 private:
  absl::Status LoadConfig(bool startup);
  std::string ConfigFilesText() const {
    return options_.config_dir.empty()
               ? options_.config_file
               : StrCat(options_.config_file, ", ", options_.config_dir, "/*.conf");
  }
  absl::Status Reload();
  absl::Status StartWorkers();
  absl::Status StartControlPlane();
  absl::Status StartRtsp();
  void StopRtsp();
  absl::Status StartWebrtc();
  // Sends path.NAME.* (as the registry has it now) to the worker that owns the path.
  void ForwardPath(const std::string& name);
  // Runs `task` on worker `worker` and waits for it.
  void RunOn(Worker& worker, std::function<void()> task);
  void AddStatSources();
  void Shutdown(int signo);

  DaemonOptions options_;
  Registry registry_;
  int64_t started_ns_ = NowNs();
  uint64_t reloads_ = 0;
  uint64_t reload_failures_ = 0;
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<BufferRing> buffers_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<CtlService> ctl_service_;
  std::unique_ptr<net::CtlServer> ctl_server_;
  std::unique_ptr<net::http::HttpServer> metrics_server_;
  std::unique_ptr<SignalWatcher> signals_;
  // Owned by worker 0's thread: created, used and destroyed there.
  std::unique_ptr<net::rtsp::PathHub> hub_;
  std::unique_ptr<net::rtsp::RtspServer> rtsp_server_;
#if RINGCAST_WEBRTC
  net::webrtc::WebRtcSettings WebrtcSettings();
  std::unique_ptr<net::webrtc::WebRtcServer> webrtc_server_;
#endif
};

void Daemon::RunOn(Worker& worker, std::function<void()> task) {
  std::promise<void> done;
  worker.Post([&] {
    task();
    done.set_value();
  });
  done.get_future().wait();
}

void Daemon::ForwardPath(const std::string& name) {
  std::vector<std::string> keys = registry_.List(StrCat("path.", name), false);
  if (keys.empty()) {
    workers_[0]->Post([this, name] {
      if (hub_ != nullptr) hub_->Remove(name);
    });
    return;
  }
  auto get = [&](std::string_view key) {
    absl::StatusOr<std::string> value = registry_.Get(StrCat("path.", name, ".", key));
    return value.ok() ? *value : std::string();
  };
  net::rtsp::PathConfig config;
  config.source = get("source");
  config.read_user = get("read_user");
  config.read_pass = get("read_pass");
  config.publish_user = get("publish_user");
  config.publish_pass = get("publish_pass");
  config.max_readers = std::atoll(get("max_readers").c_str());
  config.source_transport = get("source_transport");
  config.on_demand = get("on_demand") == "1";
  config.on_demand_close_after_ns = std::atoll(get("on_demand_close_after_ms").c_str()) * kNsPerMs;
  config.override_publisher = get("override_publisher") == "1";
  workers_[0]->Post([this, name, config = std::move(config)]() mutable {
    if (hub_ != nullptr) hub_->Configure(name, std::move(config));
  });
}

absl::Status Daemon::StartRtsp() {
  net::rtsp::RtspServerOptions options;
  ASSIGN_OR_RETURN(options.listen, registry_.Get("rtsp.listen"));
  ASSIGN_OR_RETURN(std::string timeout_ms, registry_.Get("rtsp.read_timeout_ms"));
  options.session.session_timeout_s = std::max<int64_t>(1, std::atoll(timeout_ms.c_str()) / 1000);
  options.udp = absl::StrContains(*registry_.Get("rtsp.transports"), "udp");
  options.rtp_port = std::atoi(registry_.Get("rtsp.rtp_port")->c_str());
  options.rtcp_port = std::atoi(registry_.Get("rtsp.rtcp_port")->c_str());
  bool publish_any = *registry_.Get("rtsp.publish_any") == "1";
  std::string methods = *registry_.Get("rtsp.auth_methods");
  net::rtsp::ServerAuthOptions auth_options;
  auth_options.offer_basic = absl::StrContains(methods, "basic");
  auth_options.offer_digest_md5 =
      absl::StrContains(absl::StrReplaceAll(methods, {{"digest-sha256", ""}}), "digest");
  auth_options.offer_digest_sha256 = absl::StrContains(methods, "digest-sha256");
  rtp::HistoryOptions history_options;
  history_options.retain_ns =
      std::atoll(registry_.Get("webrtc.nack_history_ms")->c_str()) * kNsPerMs;
  absl::Status started;
  Worker& worker = *workers_[0];
  RunOn(worker, [&] {
    hub_ = std::make_unique<net::rtsp::PathHub>(worker.ring(), worker.rx_buffers(),
                                                rtp::DefaultDemoClipPaths(ExecutableDir()));
    hub_->SetPublishAny(publish_any);
    hub_->SetAuthOptions(auth_options);
    hub_->SetHistoryOptions(history_options);
    absl::StatusOr<std::unique_ptr<net::rtsp::RtspServer>> server =
        net::rtsp::RtspServer::Start(worker.ring(), worker.rx_buffers(), options, *hub_);
    if (server.ok()) {
      rtsp_server_ = std::move(server).value();
    } else {
      started = server.status();
      hub_.reset();
    }
  });
  RETURN_IF_ERROR(started);
  for (const std::string& name : registry_.PathNames()) ForwardPath(name);
  registry_.Watch("path", [this](std::string_view name, std::string_view, Registry::Change) {
    std::string_view rest = name.substr(5);  // after "path."
    ForwardPath(std::string(rest.substr(0, rest.find('.'))));
  });
  registry_.Watch("rtsp.publish_any",
                  [this](std::string_view, std::string_view value, Registry::Change) {
                    bool any = value == "1";
                    workers_[0]->Post([this, any] {
                      if (hub_ != nullptr) hub_->SetPublishAny(any);
                    });
                  });
  return absl::OkStatus();
}

#if RINGCAST_WEBRTC
net::webrtc::WebRtcSettings Daemon::WebrtcSettings() {
  auto get = [&](std::string_view key) { return registry_.Get(key).value_or(std::string()); };
  auto number = [&](std::string_view key) { return std::atoll(get(key).c_str()); };
  net::webrtc::WebRtcSettings settings;
  settings.session.nack = get("webrtc.nack") == "1";
  settings.session.sr_interval_ns = number("webrtc.rtcp_sr_interval_ms") * kNsPerMs;
  settings.session.fast_start = get("webrtc.fast_start") == "1";
  settings.session.timeout_ns = number("webrtc.session_timeout_ms") * kNsPerMs;
  settings.session.srtp_engine = get("crypto.srtp_engine") == "libsrtp"
                                     ? crypto::SrtpEngineKind::kLibsrtp
                                     : crypto::SrtpEngineKind::kBoringSsl;
  settings.gso = get("webrtc.gso") == "1";
  settings.max_sessions = number("webrtc.max_sessions");
  settings.allow_origin = get("webrtc.allow_origin");
  for (absl::string_view item : absl::StrSplit(get("webrtc.advertise"), ',')) {
    std::string address(absl::StripAsciiWhitespace(item));
    if (!address.empty()) settings.advertise.push_back(address);
  }
  return settings;
}

absl::Status Daemon::StartWebrtc() {
  net::webrtc::WebRtcServerOptions options;
  ASSIGN_OR_RETURN(options.listen, registry_.Get("webrtc.listen"));
  options.udp_port = std::atoi(registry_.Get("webrtc.udp_port")->c_str());
  // The UDP port is IPv4 and binds the webrtc.listen host when that is an IPv4 address.
  std::string host = options.listen.substr(0, options.listen.rfind(':'));
  if (absl::StrContains(host, '.') && !absl::StrContains(host, ':')) options.udp_host = host;
  options.max_send_slots = std::atoll(registry_.Get("webrtc.send_slots")->c_str());
  options.cert_file = *registry_.Get("crypto.cert_file");
  options.key_file = *registry_.Get("crypto.key_file");
  options.dtls.profiles.clear();
  for (absl::string_view item : absl::StrSplit(*registry_.Get("webrtc.srtp_profiles"), ',')) {
    if (item == "aead_aes_128_gcm")
      options.dtls.profiles.push_back(crypto::SrtpProfile::kAeadAes128Gcm);
    if (item == "aes_cm_128_hmac_sha1_80") {
      options.dtls.profiles.push_back(crypto::SrtpProfile::kAes128CmSha1_80);
    }
  }
  if (options.dtls.profiles.empty()) {
    return absl::InvalidArgumentError("webrtc.srtp_profiles: name at least one profile");
  }
  options.settings = WebrtcSettings();
  absl::Status started;
  RunOn(*workers_[0], [&] {
    absl::StatusOr<std::unique_ptr<net::webrtc::WebRtcServer>> server =
        net::webrtc::WebRtcServer::Start(workers_[0]->ring(), workers_[0]->rx_buffers(), *hub_,
                                         options);
    if (server.ok()) {
      webrtc_server_ = std::move(server).value();
    } else {
      started = server.status();
    }
  });
  RETURN_IF_ERROR(started);
  auto forward = [this](std::string_view, std::string_view, Registry::Change) {
    net::webrtc::WebRtcSettings settings = WebrtcSettings();
    workers_[0]->Post([this, settings] {
      if (webrtc_server_ != nullptr) webrtc_server_->ApplySettings(settings);
    });
  };
  registry_.Watch("webrtc", forward);
  registry_.Watch("crypto.srtp_engine", forward);
  return absl::OkStatus();
}
#endif

void Daemon::StopRtsp() {
  if (workers_.empty()) return;
  RunOn(*workers_[0], [this] {
#if RINGCAST_WEBRTC
    webrtc_server_.reset();  // sessions leave their paths before the hub goes
#endif
    rtsp_server_.reset();  // sessions leave their paths first
    hub_.reset();
  });
}

absl::Status Daemon::LoadConfig(bool startup) {
  ASSIGN_OR_RETURN(
      std::vector<ConfigLine> lines,
      LoadConfigFiles(options_.config_file, options_.config_dir, options_.config_required));
  return registry_.ApplyConfig(lines, startup);
}

absl::Status Daemon::Reload() {
  SdNotify("RELOADING=1");
  absl::Status status = LoadConfig(/*startup=*/false);
  SdNotify("READY=1");
  if (!status.ok()) {
    ++reload_failures_;
    LogMultiline(LogLevel::kError,
                 "config: reload refused, running config kept: ", ToStd(status.message()));
    return status;
  }
  ++reloads_;
  LOG_INFO("config: reloaded %s", ConfigFilesText());
  return absl::OkStatus();
}

absl::Status Daemon::StartWorkers() {
  ASSIGN_OR_RETURN(std::string workers_text, registry_.Get("core.workers"));
  int count = std::stoi(workers_text);
  if (count == 0) count = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  WorkerOptions worker_options;
  worker_options.rx_buffers = static_cast<uint32_t>(std::stoul(*registry_.Get("core.rx_buffers")));
  worker_options.rx_buffer_bytes =
      static_cast<uint32_t>(std::stoul(*registry_.Get("core.rx_buffer_bytes")));
  for (int i = 0; i < count; ++i) {
    worker_options.index = i;
    absl::StatusOr<std::unique_ptr<Worker>> worker = Worker::Start(worker_options);
    if (!worker.ok()) {
      return absl::Status(worker.status().code(),
                          StrCat("worker ", i, ": ", ToStd(worker.status().message())));
    }
    workers_.push_back(std::move(worker).value());
  }
  LOG_INFO("core: %d workers, %u x %u-byte receive buffers each", count,
           workers_.front()->rx_buffers().count(), worker_options.rx_buffer_bytes);
  return absl::OkStatus();
}

absl::Status Daemon::StartControlPlane() {
  RingOptions ring_options;
  ring_options.name = "control";
  ring_options.entries = 256;
  ASSIGN_OR_RETURN(ring_, Ring::Create(ring_options));
  ASSIGN_OR_RETURN(buffers_, BufferRing::Create(*ring_, kRxBufferGroup, 256, 4096));

  ASSIGN_OR_RETURN(signals_,
                   SignalWatcher::Create(*ring_, {SIGTERM, SIGINT, SIGHUP}, [this](int signo) {
                     if (signo == SIGHUP) {
                       LOG_INFO("config: SIGHUP: reloading");
                       (void)Reload();
                     } else {
                       Shutdown(signo);
                     }
                   }));

  ctl_service_ = std::make_unique<CtlService>(registry_, [this] { return Reload(); });
  ASSIGN_OR_RETURN(std::string ctl_path, registry_.Get("ctl.socket"));
  ASSIGN_OR_RETURN(ctl_server_, net::CtlServer::Start(*ring_, *buffers_, ctl_path, *ctl_service_));

  ASSIGN_OR_RETURN(std::string metrics_listen, registry_.Get("metrics.listen"));
  ASSIGN_OR_RETURN(metrics_server_,
                   net::http::HttpServer::Start(*ring_, *buffers_, metrics_listen, "metrics"));
  metrics_server_->Handle(
      "/metrics", [this](const net::http::Message& request, const std::string&) {
        if (request.method != "GET" && request.method != "HEAD") {
          net::http::HttpResponse response = net::http::TextResponse(405, "use GET\n");
          response.headers.push_back({"Allow", "GET, HEAD"});
          return response;
        }
        return net::http::TextResponse(200, FormatPrometheus(registry_.CollectStats()),
                                       "text/plain; version=0.0.4; charset=utf-8");
      });
  return absl::OkStatus();
}

void Daemon::AddStatSources() {
  registry_.AddStatSource([this](std::vector<StatSample>& out) {
    out.push_back({.name = "stats.uptime_s",
                   .value = static_cast<double>((NowNs() - started_ns_) / kNsPerSec),
                   .metric = "ringcast_uptime_seconds",
                   .help = "seconds since ringcastd started"});
    out.push_back({.name = "stats.build.info",
                   .value = 1,
                   .metric = "ringcast_build_info",
                   .labels = {{"version", RINGCAST_VERSION}, {"crypto", RINGCAST_CRYPTO_LIBRARY}},
                   .help = "build facts as labels; the value is always 1"});
    out.push_back({.name = "stats.workers",
                   .value = static_cast<double>(workers_.size()),
                   .metric = "ringcast_workers",
                   .help = "worker threads running"});
    out.push_back({.name = "stats.paths",
                   .value = static_cast<double>(registry_.PathNames().size()),
                   .metric = "ringcast_paths",
                   .help = "paths configured"});
    out.push_back({.name = "stats.config.reloads",
                   .value = static_cast<double>(reloads_),
                   .metric = "ringcast_config_reloads_total",
                   .help = "successful config reloads (SIGHUP or ringcastctl)",
                   .counter = true});
    out.push_back({.name = "stats.config.reload_failures",
                   .value = static_cast<double>(reload_failures_),
                   .metric = "ringcast_config_reload_failures_total",
                   .help = "config reloads refused because a file was bad",
                   .counter = true});
    for (size_t i = 0; i < static_cast<size_t>(DropReason::kCount); ++i) {
      auto reason = static_cast<DropReason>(i);
      std::string name(DropReasonName(reason));
      out.push_back({.name = StrCat("stats.drops.", name),
                     .value = static_cast<double>(DropCount(reason)),
                     .metric = "ringcast_drops_total",
                     .labels = {{"reason", name}},
                     .help = "packets and requests dropped, by reason",
                     .counter = true});
    }
    for (const auto& worker : workers_) {
      const RingStats& stats = worker->stats();
      std::string index = StrCat(worker->index());
      auto add = [&](std::string_view key, const std::atomic<uint64_t>& value, std::string metric,
                     std::string help) {
        out.push_back({.name = StrCat("stats.worker.", index, ".", key),
                       .value = static_cast<double>(value.load(std::memory_order_relaxed)),
                       .metric = std::move(metric),
                       .labels = {{"worker", index}},
                       .help = std::move(help),
                       .counter = true});
      };
      add("cqes", stats.cqes, "ringcast_worker_cqes_total", "io_uring completions reaped");
      add("enters", stats.submits, "ringcast_worker_enters_total", "io_uring_enter calls");
      add("tasks", stats.tasks_run, "ringcast_worker_tasks_total", "tasks posted to the worker");
    }
    if (ctl_server_ != nullptr) {
      out.push_back({.name = "stats.ctl.connections",
                     .value = static_cast<double>(ctl_server_->server().connection_count()),
                     .metric = "ringcast_ctl_connections",
                     .help = "open control-socket connections"});
    }
    if (hub_ != nullptr) {
      std::vector<StatSample> paths = hub_->Snapshot();  // thread-safe copy
      out.insert(out.end(), std::make_move_iterator(paths.begin()),
                 std::make_move_iterator(paths.end()));
    }
#if RINGCAST_WEBRTC
    if (webrtc_server_ != nullptr) {
      std::vector<StatSample> webrtc = webrtc_server_->Snapshot();  // thread-safe copy
      out.insert(out.end(), std::make_move_iterator(webrtc.begin()),
                 std::make_move_iterator(webrtc.end()));
    }
#endif
    if (metrics_server_ != nullptr) {
      out.push_back({.name = "stats.metrics.requests",
                     .value = static_cast<double>(metrics_server_->requests()),
                     .metric = "ringcast_http_requests_total",
                     .labels = {{"server", "metrics"}},
                     .help = "HTTP requests handled",
                     .counter = true});
    }
  });
}

void Daemon::Shutdown(int signo) {
  LOG_INFO("core: %s: shutting down", signo == SIGINT ? "SIGINT" : "SIGTERM");
  SdNotify("STOPPING=1");
  // Servers hand their in-flight operations to the ring, which cancels and drains them when
  // Run() returns.
  metrics_server_.reset();
  ctl_server_.reset();
  ring_->Stop();
}

int Daemon::Run() {
  DefineCoreTunables(registry_);
  DefinePathTunables(registry_);
  DefineRtspTunables(registry_);
  DefineWebrtcTunables(registry_);
  registry_.Watch("core.log_level", [](std::string_view, std::string_view value, Registry::Change) {
    if (std::optional<LogLevel> level = ParseLogLevel(value)) SetLogLevel(*level);
  });

  absl::Status loaded = LoadConfig(/*startup=*/true);
  if (!loaded.ok()) {
    LogMultiline(LogLevel::kError, "config: ", ToStd(loaded.message()));
    LOG_ERROR("ringcastd: not starting: fix the config above (ringcastd --check-config tests it)");
    return 1;
  }
  if (options_.check_only) {
    std::printf("ringcastd: configuration OK (%s)\n", ConfigFilesText().c_str());
    return 0;
  }
  absl::Status blocked = BlockSignals({SIGTERM, SIGINT, SIGHUP});
  if (!blocked.ok()) {
    LOG_ERROR("core: %s", blocked.ToString());
    return 1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  LOG_INFO("ringcastd %s starting (crypto: %s)", RINGCAST_VERSION, RINGCAST_CRYPTO_LIBRARY);

  // The control socket first: a second ringcastd on the same socket is told so plainly.
  absl::Status started = StartWorkers();
  if (started.ok()) started = StartControlPlane();
  if (started.ok()) started = StartRtsp();
#if RINGCAST_WEBRTC
  if (started.ok()) started = StartWebrtc();
#endif
  if (!started.ok()) {
    LOG_ERROR("ringcastd: cannot start: %s", ToStd(started.message()));
    metrics_server_.reset();
    ctl_server_.reset();
    if (ring_ != nullptr) ring_->CancelAllAndDrain();
    signals_.reset();
    buffers_.reset();
    ring_.reset();
    StopRtsp();
    workers_.clear();
    return 1;
  }
  AddStatSources();
  LOG_INFO("ringcastd: ready");
  std::unique_ptr<SdWatchdog> watchdog = SdNotifyReady(*ring_);  // systemd Type=notify
  ring_->Run();  // until SIGTERM/SIGINT; returns with nothing left in flight
  watchdog.reset();
  signals_.reset();
  buffers_.reset();
  ring_.reset();
  StopRtsp();
  workers_.clear();  // each worker cancels, drains and joins
  LOG_INFO("ringcastd: stopped");
  return 0;
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  // Track histories and send-slot chunks are large, long-lived buffers that grow a few times
  // and are freed when a path or the server goes. A fixed mmap threshold keeps each of them a
  // mapping of its own that goes back to the kernel when freed; glibc's default would raise the
  // threshold after the first free and carve later ones out of the heap, where freed space
  // stays resident (8 publishers at 2 Mbit/s: +9.9 MB over the idle daemon before, +7.9 MB
  // with this and the History's 1.5x growth).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  Daemon daemon(options);
  return daemon.Run();
}

}  // namespace ringcast::core
