// Test helpers for running third-party peers (GStreamer's RTSP server through the scripts in
// tests/data/rtsp, ffprobe, gst-launch, nft) as child processes and talking RTSP to them over a
// blocking loopback socket. Every wait is bounded. A Child belongs to the thread that made it;
// the free functions may be called from any thread.
#ifndef RINGCAST_TESTS_UNIT_NET_RTSP_CHILD_PROCESS_H_
#define RINGCAST_TESTS_UNIT_NET_RTSP_CHILD_PROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "net/http/message.h"
#include "net/http/parser.h"

extern char** environ;

namespace ringcast::net::rtsp::testing {

// A child process with a pipe to its stdin and one from its stdout; stderr goes to /dev/null.
// Kill() (and the destructor) close stdin, send SIGKILL to the child, by pid, and reap it.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) return;
    if (pipe2(out, O_CLOEXEC) != 0) {
      close(in[0]);
      close(in[1]);
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~Child() { Kill(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }

  void Kill() {
    if (stdin_ >= 0) close(stdin_);
    if (stdout_ >= 0) close(stdout_);
    stdin_ = stdout_ = -1;
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      exited_ = true;
    }
  }

  // The next stdout line, or nullopt after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    const int64_t deadline = core::NowNs() + timeout.count() * core::kNsPerMs;
    while (true) {
      if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const int64_t left_ms = (deadline - core::NowNs()) / core::kNsPerMs;
      if (left_ms <= 0 || stdout_ < 0) return std::nullopt;
      pollfd p{stdout_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left_ms)) <= 0) continue;
      char buf[256];
      const ssize_t n = read(stdout_, buf, sizeof(buf));
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  // The port from the "PORT <n>" line that the servers in tests/data/rtsp print once they
  // listen (waiting 20 s at most), or 0.
  int ReadPort() {
    std::optional<std::string> line = ReadLine(std::chrono::seconds(20));
    return line && line->starts_with("PORT ") ? std::atoi(line->c_str() + 5) : 0;
  }

  // Waits up to `timeout` for the child to exit; returns its wait status, or nullopt.
  std::optional<int> Wait(std::chrono::milliseconds timeout) {
    const int64_t deadline = core::NowNs() + timeout.count() * core::kNsPerMs;
    while (core::NowNs() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  bool exited_ = false;
  std::string buffer_;
};

// Runs a command to completion (20 s at most); true when it exits 0.
inline bool CommandSucceeds(const std::vector<std::string>& argv) {
  Child child(argv);
  if (!child.started()) return false;
  std::optional<int> status = child.Wait(std::chrono::seconds(20));
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

// True when `name` is on the PATH.
inline bool HaveProgram(const std::string& name) {
  return CommandSucceeds({"/bin/sh", "-c", "command -v " + name + " >/dev/null"});
}

// True when /usr/bin/python3 can run GStreamer's RTSP server (python3-gi,
// gir1.2-gst-rtsp-server-1.0) and each of the GStreamer `elements` is installed. It takes a
// second or so: callers keep the answer in a static.
inline bool HaveGstRtspServerWith(const std::vector<std::string>& elements) {
  std::string script =
      "import gi; gi.require_version('GstRtspServer', '1.0'); "
      "from gi.repository import Gst, GstRtspServer; Gst.init(None); "
      "assert all(Gst.ElementFactory.find(e) for e in (";
  for (const std::string& e : elements) script += "'" + e + "', ";
  script += "))";
  return CommandSucceeds({"/usr/bin/python3", "-c", script});
}

// --- RTSP over a blocking loopback socket ----------------------------------------------------

inline bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads one message from `fd` with `parser`, waiting at most 10 s. `pending` holds the bytes
// read past it, for the next call.
inline std::optional<http::Message> ReadMessage(int fd, http::Parser& parser,
                                                std::string& pending) {
  const int64_t deadline = core::NowNs() + 10 * core::kNsPerSec;
  while (true) {
    size_t used = 0;
    const http::Parser::State state = parser.Feed(pending, used);
    pending.erase(0, used);
    if (state == http::Parser::State::kComplete) return parser.Take();
    if (state == http::Parser::State::kError || core::NowNs() > deadline) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return std::nullopt;
    pending.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace ringcast::net::rtsp::testing

#endif  // RINGCAST_TESTS_UNIT_NET_RTSP_CHILD_PROCESS_H_
