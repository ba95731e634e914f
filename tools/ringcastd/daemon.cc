#include "tools/ringcastd/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/drop_counter.h"
#include "core/log.h"
#include "core/metrics_text.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/strings.h"
#include "core/tunables.h"
#include "core/worker.h"
#include "net/ctl/server.h"
#include "net/http/server.h"
#include "net/rtsp/server.h"
#include "net/rtsp/settings.h"
#include "net/webrtc/settings.h"
#include "rtp/demo_source.h"
#include "rtp/hub/path_hub.h"
#include "rtp/hub/path_settings.h"
#include "tools/build_info.h"
#include "tools/ringcastd/ctl_service.h"
#include "tools/ringcastd/sd_notify.h"
#include "tools/ringcastd/settings.h"
#include "tools/ringcastd/sources.h"
#if RINGCAST_WEBRTC
#include "net/webrtc/server.h"
#endif

namespace ringcast::daemon {
namespace {

using core::LogLevel;
using core::Registry;
using core::StrCat;
using core::ToStd;

// The directory of the running binary: the build tree keeps the demo clip next to it.
std::string ExecutableDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

void LogMultiline(LogLevel level, std::string_view prefix, std::string_view text) {
  while (!text.empty()) {
    size_t eol = text.find('\n');
    core::LogLine(level, StrCat(prefix, text.substr(0, eol)));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  }
}

class Daemon {
 public:
  explicit Daemon(const DaemonOptions& options)
      : options_(options), sources_(rtp::DefaultDemoClipPaths(ExecutableDir())) {}
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
  absl::Status StartPaths();
  absl::Status StartWebrtc();
  void StopPaths();
  // Sends path.NAME.* (as the registry has it now) to the worker that owns the path.
  void ForwardPath(const std::string& name);
  // Runs `task` on worker `worker` and waits for it.
  void RunOn(core::Worker& worker, std::function<void()> task);
  void AddStatSources();
  void Shutdown(int signo);

  DaemonOptions options_;
  Registry registry_;
  DaemonSources sources_;  // read-only; outlives every hub
  int64_t started_ns_ = core::NowNs();
  uint64_t reloads_ = 0;
  uint64_t reload_failures_ = 0;
  std::unique_ptr<core::Ring> ring_;
  std::unique_ptr<core::BufferRing> buffers_;
  std::vector<std::unique_ptr<core::Worker>> workers_;
  std::unique_ptr<CtlService> ctl_service_;
  std::unique_ptr<net::ctl::Server> ctl_server_;
  std::unique_ptr<net::http::HttpServer> metrics_server_;
  std::unique_ptr<core::SignalWatcher> signals_;
  // Owned by worker 0's thread: created, used and destroyed there.
  std::unique_ptr<rtp::hub::PathHub> hub_;
  std::unique_ptr<net::rtsp::RtspServer> rtsp_server_;
#if RINGCAST_WEBRTC
  std::unique_ptr<net::webrtc::WebRtcServer> webrtc_server_;
#endif
};

void Daemon::RunOn(core::Worker& worker, std::function<void()> task) {
  std::promise<void> done;
  worker.Post([&] {
    task();
    done.set_value();
  });
  done.get_future().wait();
}

void Daemon::ForwardPath(const std::string& name) {
  absl::StatusOr<rtp::hub::PathConfig> config = rtp::hub::ReadPathConfig(registry_, name);
  if (absl::IsNotFound(config.status())) {
    workers_[0]->Post([this, name] {
      if (hub_ != nullptr) hub_->Remove(name);
    });
    return;
  }
  if (!config.ok()) {
    LOG_ERROR("path %s: %s", name, ToStd(config.status().message()));
    return;
  }
  workers_[0]->Post([this, name, config = *std::move(config)]() mutable {
    if (hub_ != nullptr) hub_->Configure(name, std::move(config));
  });
}

absl::Status Daemon::StartPaths() {
  ASSIGN_OR_RETURN(net::rtsp::RtspServerOptions rtsp, net::rtsp::ReadRtspServerOptions(registry_));
  ASSIGN_OR_RETURN(net::webrtc::WebRtcServerOptions webrtc,
                   net::webrtc::ReadWebRtcServerOptions(registry_));
  rtp::hub::HubOptions hub_options;
  hub_options.publish_any = rtsp.publish_any;
  hub_options.history.retain_ns = webrtc.nack_history_ns;
  absl::Status started;
  core::Worker& worker = *workers_[0];
  RunOn(worker, [&] {
    hub_ = std::make_unique<rtp::hub::PathHub>(worker.ring(), worker.rx_buffers(), sources_,
                                               hub_options);
    absl::StatusOr<std::unique_ptr<net::rtsp::RtspServer>> server =
        net::rtsp::RtspServer::Start(worker.ring(), worker.rx_buffers(), rtsp, *hub_);
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

absl::Status Daemon::StartWebrtc() {
#if RINGCAST_WEBRTC
  ASSIGN_OR_RETURN(net::webrtc::WebRtcServerOptions options,
                   net::webrtc::ReadWebRtcServerOptions(registry_));
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
    absl::StatusOr<net::webrtc::WebRtcSettings> settings =
        net::webrtc::ReadWebRtcSettings(registry_);
    if (!settings.ok()) {
      LOG_ERROR("webrtc: %s", ToStd(settings.status().message()));
      return;
    }
    workers_[0]->Post([this, settings = *std::move(settings)] {
      if (webrtc_server_ != nullptr) webrtc_server_->ApplySettings(settings);
    });
  };
  registry_.Watch("webrtc", forward);
  registry_.Watch("crypto.srtp_engine", forward);
#endif
  return absl::OkStatus();
}

void Daemon::StopPaths() {
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
      std::vector<core::ConfigLine> lines,
      core::LoadConfigFiles(options_.config_file, options_.config_dir, options_.config_required));
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
  ASSIGN_OR_RETURN(core::CoreSettings settings, core::ReadCoreSettings(registry_));
  core::WorkerOptions worker_options;
  worker_options.rx_buffers = settings.rx_buffers;
  worker_options.rx_buffer_bytes = settings.rx_buffer_bytes;
  for (int i = 0; i < settings.workers; ++i) {
    worker_options.index = i;
    absl::StatusOr<std::unique_ptr<core::Worker>> worker = core::Worker::Start(worker_options);
    if (!worker.ok()) {
      return absl::Status(worker.status().code(),
                          StrCat("worker ", i, ": ", ToStd(worker.status().message())));
    }
    workers_.push_back(std::move(worker).value());
  }
  LOG_INFO("core: %d workers, %u x %u-byte receive buffers each", settings.workers,
           workers_.front()->rx_buffers().count(), worker_options.rx_buffer_bytes);
  return absl::OkStatus();
}

absl::Status Daemon::StartControlPlane() {
  ASSIGN_OR_RETURN(DaemonSettings settings, ReadDaemonSettings(registry_));
  core::RingOptions ring_options;
  ring_options.name = "control";
  ring_options.entries = 256;
  ASSIGN_OR_RETURN(ring_, core::Ring::Create(ring_options));
  ASSIGN_OR_RETURN(buffers_, core::BufferRing::Create(*ring_, core::kRxBufferGroup, 256, 4096));

  ASSIGN_OR_RETURN(
      signals_, core::SignalWatcher::Create(*ring_, {SIGTERM, SIGINT, SIGHUP}, [this](int signo) {
        if (signo == SIGHUP) {
          LOG_INFO("config: SIGHUP: reloading");
          (void)Reload();
        } else {
          Shutdown(signo);
        }
      }));

  ctl_service_ = std::make_unique<CtlService>(registry_, [this] { return Reload(); });
  ASSIGN_OR_RETURN(ctl_server_,
                   net::ctl::Server::Start(*ring_, *buffers_, settings.ctl_socket, *ctl_service_));

  ASSIGN_OR_RETURN(metrics_server_, net::http::HttpServer::Start(
                                        *ring_, *buffers_, settings.metrics_listen, "metrics"));
  metrics_server_->Handle(
      "/metrics", [this](const net::http::Message& request, const std::string&) {
        if (request.method != "GET" && request.method != "HEAD") {
          net::http::HttpResponse response = net::http::TextResponse(405, "use GET\n");
          response.headers.push_back({"Allow", "GET, HEAD"});
          return response;
        }
        return net::http::TextResponse(200, core::FormatPrometheus(registry_.CollectStats()),
                                       "text/plain; version=0.0.4; charset=utf-8");
      });
  return absl::OkStatus();
}

void Daemon::AddStatSources() {
  registry_.AddStatSource([this](std::vector<core::StatSample>& out) {
    out.push_back(core::Gauge("stats.uptime_s",
                              static_cast<double>((core::NowNs() - started_ns_) / core::kNsPerSec),
                              "ringcast_uptime_seconds", "seconds since ringcastd started"));
    out.push_back(
        core::Gauge("stats.build.info", 1, "ringcast_build_info",
                    "build facts as labels; the value is always 1",
                    {{"version", RINGCAST_VERSION}, {"crypto", RINGCAST_CRYPTO_LIBRARY}}));
    out.push_back(core::Gauge("stats.workers", static_cast<double>(workers_.size()),
                              "ringcast_workers", "worker threads running"));
    out.push_back(core::Gauge("stats.paths", static_cast<double>(registry_.PathNames().size()),
                              "ringcast_paths", "paths configured"));
    out.push_back(core::Counter("stats.config.reloads", static_cast<double>(reloads_),
                                "ringcast_config_reloads_total",
                                "successful config reloads (SIGHUP or ringcastctl)"));
    out.push_back(core::Counter(
        "stats.config.reload_failures", static_cast<double>(reload_failures_),
        "ringcast_config_reload_failures_total", "config reloads refused because a file was bad"));
    for (const core::DropCounter* drops : core::AllDropCounters()) {
      std::string name(drops->name());
      out.push_back(core::Counter(StrCat("stats.drops.", name), static_cast<double>(drops->count()),
                                  "ringcast_drops_total", "packets and requests dropped, by reason",
                                  {{"reason", name}}));
    }
    for (const auto& worker : workers_) {
      const core::RingStats& stats = worker->stats();
      std::string index = StrCat(worker->index());
      auto add = [&](std::string_view key, const std::atomic<uint64_t>& value, std::string metric,
                     std::string help) {
        out.push_back(core::Counter(StrCat("stats.worker.", index, ".", key),
                                    static_cast<double>(value.load(std::memory_order_relaxed)),
                                    std::move(metric), std::move(help), {{"worker", index}}));
      };
      add("cqes", stats.cqes, "ringcast_worker_cqes_total", "io_uring completions reaped");
      add("enters", stats.submits, "ringcast_worker_enters_total", "io_uring_enter calls");
      add("tasks", stats.tasks_run, "ringcast_worker_tasks_total", "tasks posted to the worker");
    }
    if (ctl_server_ != nullptr) {
      out.push_back(core::Gauge("stats.ctl.connections",
                                static_cast<double>(ctl_server_->server().connection_count()),
                                "ringcast_ctl_connections", "open control-socket connections"));
    }
    auto append = [&out](std::vector<core::StatSample> samples) {
      out.insert(out.end(), std::make_move_iterator(samples.begin()),
                 std::make_move_iterator(samples.end()));
    };
    if (hub_ != nullptr) append(hub_->Snapshot());  // thread-safe copies
#if RINGCAST_WEBRTC
    if (webrtc_server_ != nullptr) append(webrtc_server_->Snapshot());
#endif
    if (metrics_server_ != nullptr) {
      out.push_back(core::Counter(
          "stats.metrics.requests", static_cast<double>(metrics_server_->requests()),
          "ringcast_http_requests_total", "HTTP requests handled", {{"server", "metrics"}}));
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
  DefineAllTunables(registry_);
  registry_.Watch("core.log_level", [](std::string_view, std::string_view value, Registry::Change) {
    if (std::optional<LogLevel> level = core::ParseLogLevel(value)) core::SetLogLevel(*level);
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
  absl::Status blocked = core::BlockSignals({SIGTERM, SIGINT, SIGHUP});
  if (!blocked.ok()) {
    LOG_ERROR("core: %s", blocked.ToString());
    return 1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  LOG_INFO("ringcastd %s starting (crypto: %s)", RINGCAST_VERSION, RINGCAST_CRYPTO_LIBRARY);

  // The control socket first: a second ringcastd on the same socket is told so plainly.
  absl::Status started = StartWorkers();
  if (started.ok()) started = StartControlPlane();
  if (started.ok()) started = StartPaths();
  if (started.ok()) started = StartWebrtc();
  if (!started.ok()) {
    LOG_ERROR("ringcastd: cannot start: %s", ToStd(started.message()));
    metrics_server_.reset();
    ctl_server_.reset();
    if (ring_ != nullptr) ring_->CancelAllAndDrain();
    signals_.reset();
    buffers_.reset();
    ring_.reset();
    StopPaths();
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
  StopPaths();
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

}  // namespace ringcast::daemon
