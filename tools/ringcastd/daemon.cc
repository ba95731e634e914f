#include "tools/ringcastd/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/drop_counter.h"
#include "core/heap_trimmer.h"
#include "core/log.h"
#include "core/metrics_text.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/strings.h"
#include "core/tunables.h"
#include "core/worker.h"
#include "net/ctl/server.h"
#include "net/http/server.h"
#include "net/http/stored_password.h"
#include "net/rtsp/server.h"
#include "net/rtsp/settings.h"
#include "net/webrtc/server.h"
#include "net/webrtc/settings.h"
#include "rtp/demo_source.h"
#include "rtp/hub/path_hub.h"
#include "rtp/hub/path_settings.h"
#include "tools/build_info.h"
#include "tools/ringcastd/ctl_service.h"
#include "tools/ringcastd/sd_notify.h"
#include "tools/ringcastd/settings.h"
#include "tools/ringcastd/sources.h"

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

// One worker's hub and servers.
struct Services {
  std::unique_ptr<rtp::hub::PathHub> hub;
  std::unique_ptr<net::rtsp::RtspServer> rtsp;
  std::unique_ptr<net::webrtc::WebRtcServer> webrtc;
};

// "host:port" with the port replaced: the port worker 0 bound (the configured one may be 0).
std::string WithPort(const std::string& listen, int port) {
  return StrCat(listen.substr(0, listen.rfind(':')), ":", port);
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
  // Sends path.NAME.* (as the registry has it now) to every worker's hub.
  void ForwardPath(const std::string& name);
  void ForwardBatchWait();
  // Runs `task` on every worker, with its services, without waiting.
  void PostToAll(std::function<void(struct Services&)> task);
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
  std::unique_ptr<core::HeapTrimmer> heap_trimmer_;  // on ring_, while it runs
  // What each worker runs. services_[i] is created, used and destroyed on worker i's thread;
  // the vector itself is sized before the workers start and never changes after.
  std::vector<Services> services_;
  std::unique_ptr<rtp::hub::PathDirectory> directory_;  // shared by every worker's hub
  net::webrtc::WebRtcShared webrtc_shared_;
};

void Daemon::RunOn(core::Worker& worker, std::function<void()> task) {
  std::promise<void> done;
  worker.Post([&] {
    task();
    done.set_value();
  });
  done.get_future().wait();
}

void Daemon::PostToAll(std::function<void(Services&)> task) {
  for (size_t i = 0; i < workers_.size(); ++i) {
    workers_[i]->Post([this, i, task] { task(services_[i]); });
  }
}

// core.batch_wait_us changed: each worker's ring takes it on its own thread.
void Daemon::ForwardBatchWait() {
  absl::StatusOr<core::CoreSettings> settings = core::ReadCoreSettings(registry_);
  if (!settings.ok()) {
    LOG_ERROR("config: %s", ToStd(settings.status().message()));
    return;
  }
  for (const auto& worker : workers_) {
    core::Worker* w = worker.get();
    w->Post([w, ns = settings->batch_wait_ns] { w->ring().SetBatchWait(ns); });
  }
}

void Daemon::ForwardPath(const std::string& name) {
  absl::StatusOr<rtp::hub::PathConfig> config = rtp::hub::ReadPathConfig(registry_, name);
  if (absl::IsNotFound(config.status())) {
    PostToAll([name](Services& services) {
      if (services.hub != nullptr) services.hub->Remove(name);
    });
    return;
  }
  if (!config.ok()) {
    LOG_ERROR("path %s: %s", name, ToStd(config.status().message()));
    return;
  }
  // A malformed hashed password lets nobody in (net/http/stored_password.h); say so now rather
  // than at the first login. The message never holds the value.
  auto check_password = [&](const char* key, const std::string& value) {
    absl::StatusOr<net::http::StoredPassword> stored = net::http::ParseStoredPassword(value);
    if (!stored.ok()) {
      LOG_ERROR("path %s: %s: %s (nobody can log in)", name, key, ToStd(stored.status().message()));
    }
  };
  check_password("read_pass", config->read_pass);
  check_password("publish_pass", config->publish_pass);
  PostToAll([name, config = *std::move(config)](Services& services) {
    if (services.hub != nullptr) services.hub->Configure(name, config);
  });
}

absl::Status Daemon::StartPaths() {
  ASSIGN_OR_RETURN(net::rtsp::RtspServerOptions rtsp, net::rtsp::ReadRtspServerOptions(registry_));
  ASSIGN_OR_RETURN(net::webrtc::WebRtcServerOptions webrtc,
                   net::webrtc::ReadWebRtcServerOptions(registry_));
  ASSIGN_OR_RETURN(rtp::hub::PlacementPolicy placement, rtp::hub::ReadPlacementPolicy(registry_));
  const int workers = static_cast<int>(workers_.size());
  directory_ = std::make_unique<rtp::hub::PathDirectory>(workers, placement);
  rtp::hub::HubOptions hub_options;
  hub_options.publish_any = rtsp.publish_any;
  hub_options.history.retain_ns = webrtc.nack_history_ns;
  hub_options.history.max_bytes = webrtc.history_max_bytes;
  hub_options.history.keyframe_max_age_ns = webrtc.history_max_age_ns;
  rtsp.reuse_port = workers > 1;
  // A connection whose path another worker owns is posted to that worker's server.
  net::rtsp::HandOffTo hand_off;
  if (workers > 1) {
    hand_off = [this](int worker, std::shared_ptr<net::rtsp::HandedConnection> connection) {
      workers_[static_cast<size_t>(worker)]->Post([this, worker, connection] {
        Services& services = services_[static_cast<size_t>(worker)];
        if (services.rtsp != nullptr) services.rtsp->Adopt(connection);
      });
    };
  }
  // Worker 0 first: it binds the configured ports (0 picks free ones), the others bind the same.
  for (int i = 0; i < workers; ++i) {
    absl::Status started;
    core::Worker& worker = *workers_[static_cast<size_t>(i)];
    RunOn(worker, [&] {
      Services& services = services_[static_cast<size_t>(i)];
      services.hub = std::make_unique<rtp::hub::PathHub>(worker.ring(), worker.rx_buffers(),
                                                         sources_, *directory_, i, hub_options);
      // Hubs talk to each other (replicas of a popular path) by tasks posted to their worker.
      services.hub->SetPeers([this](int peer, std::function<void(rtp::hub::PathHub&)> task) {
        workers_[static_cast<size_t>(peer)]->Post([this, peer, task = std::move(task)] {
          rtp::hub::PathHub* hub = services_[static_cast<size_t>(peer)].hub.get();
          if (hub != nullptr) task(*hub);
        });
      });
      absl::StatusOr<std::unique_ptr<net::rtsp::RtspServer>> server = net::rtsp::RtspServer::Start(
          worker.ring(), worker.rx_buffers(), rtsp, *services.hub, hand_off);
      if (server.ok()) {
        services.rtsp = std::move(server).value();
      } else {
        started = server.status();
      }
    });
    RETURN_IF_ERROR(started);
    if (i == 0) {
      RunOn(worker, [&] {
        Services& first = services_[0];
        rtsp.listen = WithPort(rtsp.listen, first.rtsp->port());
        if (first.rtsp->udp() != nullptr) {
          rtsp.rtp_port = first.rtsp->udp()->rtp_port();
          rtsp.rtcp_port = first.rtsp->udp()->rtcp_port();
        }
      });
    }
  }
  for (const std::string& name : registry_.PathNames()) ForwardPath(name);
  registry_.Watch("path", [this](std::string_view name, std::string_view, Registry::Change) {
    std::string_view rest = name.substr(5);  // after "path."
    ForwardPath(std::string(rest.substr(0, rest.find('.'))));
  });
  registry_.Watch("rtsp.publish_any",
                  [this](std::string_view, std::string_view value, Registry::Change) {
                    bool any = value == "1";
                    PostToAll([any](Services& services) {
                      if (services.hub != nullptr) services.hub->SetPublishAny(any);
                    });
                  });
  return absl::OkStatus();
}

absl::Status Daemon::StartWebrtc() {
  ASSIGN_OR_RETURN(net::webrtc::WebRtcServerOptions options,
                   net::webrtc::ReadWebRtcServerOptions(registry_));
  const int workers = static_cast<int>(workers_.size());
  webrtc_shared_.workers = workers;
  webrtc_shared_.sessions = std::make_unique<std::atomic<uint64_t>[]>(static_cast<size_t>(workers));
  webrtc_shared_.run_on = [this](int worker, std::function<void(net::webrtc::WebRtcServer*)> task) {
    workers_[static_cast<size_t>(worker)]->Post([this, worker, task = std::move(task)] {
      task(services_[static_cast<size_t>(worker)].webrtc.get());
    });
  };
  for (int i = 0; i < workers; ++i) {
    absl::Status started;
    core::Worker& worker = *workers_[static_cast<size_t>(i)];
    RunOn(worker, [&] {
      Services& services = services_[static_cast<size_t>(i)];
      absl::StatusOr<std::unique_ptr<net::webrtc::WebRtcServer>> server =
          net::webrtc::WebRtcServer::Start(worker.ring(), worker.rx_buffers(), *services.hub,
                                           options, webrtc_shared_);
      if (server.ok()) {
        services.webrtc = std::move(server).value();
        if (i == 0) {  // the others bind the ports worker 0 got
          options.listen = WithPort(options.listen, services.webrtc->http_port());
          options.udp_port = services.webrtc->udp_port();
        }
      } else {
        started = server.status();
      }
    });
    RETURN_IF_ERROR(started);
  }
  auto forward = [this](std::string_view, std::string_view, Registry::Change) {
    absl::StatusOr<net::webrtc::WebRtcSettings> settings =
        net::webrtc::ReadWebRtcSettings(registry_);
    if (!settings.ok()) {
      LOG_ERROR("webrtc: %s", ToStd(settings.status().message()));
      return;
    }
    PostToAll([settings = *std::move(settings)](Services& services) {
      if (services.webrtc != nullptr) services.webrtc->ApplySettings(settings);
    });
  };
  registry_.Watch("webrtc", forward);
  registry_.Watch("crypto.srtp_engine", forward);
  return absl::OkStatus();
}

void Daemon::StopPaths() {
  // Every worker's servers first (their sessions leave their paths), then every hub: a task
  // posted from one worker to another finds a server gone (nullptr) rather than half a worker.
  for (size_t i = 0; i < workers_.size(); ++i) {
    RunOn(*workers_[i], [this, i] {
      services_[i].webrtc.reset();
      services_[i].rtsp.reset();
    });
  }
  for (size_t i = 0; i < workers_.size(); ++i) {
    RunOn(*workers_[i], [this, i] { services_[i].hub.reset(); });
  }
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
  worker_options.batch_wait_ns = settings.batch_wait_ns;
  for (int i = 0; i < settings.workers; ++i) {
    worker_options.index = i;
    absl::StatusOr<std::unique_ptr<core::Worker>> worker = core::Worker::Start(worker_options);
    if (!worker.ok()) {
      return absl::Status(worker.status().code(),
                          StrCat("worker ", i, ": ", ToStd(worker.status().message())));
    }
    workers_.push_back(std::move(worker).value());
  }
  services_.resize(workers_.size());
  LOG_INFO("core: %d workers, up to %u x %u-byte receive buffers each", settings.workers,
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

  ASSIGN_OR_RETURN(metrics_server_,
                   net::http::HttpServer::Start(*ring_, *buffers_, settings.metrics_listen,
                                                "metrics", {.allow = settings.metrics_allow}));
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
    const core::HeapFigures heap = core::ReadHeapFigures();
    out.push_back(core::Gauge("stats.memory.resident_bytes",
                              static_cast<double>(core::ResidentBytes()),
                              "ringcast_memory_resident_bytes", "the process's resident set"));
    out.push_back(core::Gauge("stats.memory.heap_in_use_bytes",
                              static_cast<double>(heap.in_use_bytes),
                              "ringcast_memory_heap_in_use_bytes", "heap memory in use"));
    out.push_back(core::Gauge("stats.memory.heap_free_bytes", static_cast<double>(heap.free_bytes),
                              "ringcast_memory_heap_free_bytes",
                              "heap memory freed and kept by the allocator for reuse"));
    if (heap_trimmer_ != nullptr) {
      out.push_back(core::Counter("stats.memory.trims", static_cast<double>(heap_trimmer_->trims()),
                                  "ringcast_memory_trims_total",
                                  "times freed heap memory was given back to the system"));
      out.push_back(core::Counter(
          "stats.memory.returned_bytes", static_cast<double>(heap_trimmer_->returned_bytes()),
          "ringcast_memory_returned_bytes_total", "resident memory given back by those trims"));
    }
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
    std::vector<int> paths =
        directory_ != nullptr ? directory_->PathsPerWorker() : std::vector<int>();
    for (const auto& worker : workers_) {
      const core::RingStats& stats = worker->stats();
      const size_t i = static_cast<size_t>(worker->index());
      const Services& services = services_[i];
      std::string index = StrCat(worker->index());
      auto add = [&](std::string_view key, double value, std::string metric, std::string help,
                     bool counter = true) {
        core::StatSample sample =
            core::Gauge(StrCat("stats.worker.", index, ".", key), value, std::move(metric),
                        std::move(help), {{"worker", index}});
        sample.counter = counter;
        out.push_back(std::move(sample));
      };
      auto load = [](const std::atomic<uint64_t>& value) {
        return static_cast<double>(value.load(std::memory_order_relaxed));
      };
      add("cqes", load(stats.cqes), "ringcast_worker_cqes_total", "io_uring completions reaped");
      add("enters", load(stats.submits), "ringcast_worker_enters_total", "io_uring_enter calls");
      add("tasks", load(stats.tasks_run), "ringcast_worker_tasks_total",
          "tasks posted to the worker");
      add("busy_ms", load(stats.busy_ns) / 1e6, "ringcast_worker_busy_milliseconds_total",
          "time the worker spent working, not waiting for completions");
      add("paths", i < paths.size() ? paths[i] : 0, "ringcast_worker_paths",
          "active paths placed on the worker", /*counter=*/false);
      const core::BufferRing& rx = worker->rx_buffers();
      add("rx_buffer_bytes", static_cast<double>(rx.provided_now()) * rx.buffer_size(),
          "ringcast_worker_rx_buffer_bytes",
          "receive buffers given to the kernel so far (they grow with the load, up to "
          "core.rx_buffers)",
          /*counter=*/false);
      double sessions = 0, packets_out = 0;
      if (services.rtsp != nullptr) {
        sessions += static_cast<double>(services.rtsp->sessions_now());
        packets_out += static_cast<double>(services.rtsp->packets_out());
      }
      if (services.webrtc != nullptr) {
        sessions += static_cast<double>(services.webrtc->sessions_now());
        packets_out += static_cast<double>(services.webrtc->datagrams_out());
      }
      add("sessions", sessions, "ringcast_worker_sessions",
          "RTSP connections and WebRTC sessions on the worker", /*counter=*/false);
      add("packets_in",
          services.hub != nullptr ? static_cast<double>(services.hub->packets_in()) : 0,
          "ringcast_worker_packets_in_total", "RTP packets the worker's paths took in");
      add("packets_out", packets_out, "ringcast_worker_packets_out_total",
          "packets the worker sent to readers and viewers (WebRTC: every datagram)");
    }
    if (ctl_server_ != nullptr) {
      out.push_back(core::Gauge("stats.ctl.connections",
                                static_cast<double>(ctl_server_->server().connection_count()),
                                "ringcast_ctl_connections", "open control-socket connections"));
    }
    // Each worker's figures (thread-safe copies). Paths report from their owner only; the
    // WebRTC totals and per-path viewer counts of several workers add up.
    std::vector<core::StatSample> parts;
    auto append = [&parts](std::vector<core::StatSample> samples) {
      parts.insert(parts.end(), std::make_move_iterator(samples.begin()),
                   std::make_move_iterator(samples.end()));
    };
    for (const Services& services : services_) {
      if (services.hub != nullptr) append(services.hub->Snapshot());
      if (services.webrtc != nullptr) append(services.webrtc->Snapshot());
    }
    std::map<std::string, size_t> seen;  // name → index in `out`
    for (core::StatSample& sample : parts) {
      auto [it, inserted] = seen.try_emplace(sample.name, out.size());
      if (inserted) {
        out.push_back(std::move(sample));
      } else {
        out[it->second].value += sample.value;
      }
    }
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
  registry_.Watch("core.batch_wait_us", [this](std::string_view, std::string_view,
                                               Registry::Change) { ForwardBatchWait(); });

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
  // What a flood freed goes back within seconds of its end (core/heap_trimmer.h).
  heap_trimmer_ = std::make_unique<core::HeapTrimmer>(*ring_, 5 * core::kNsPerSec, 8 << 20);
  ring_->Run();  // until SIGTERM/SIGINT; returns with nothing left in flight
  heap_trimmer_.reset();
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
