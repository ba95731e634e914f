#include "net/ctl/server.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "net/ctl/protocol.h"

namespace ringcast::net::ctl {

const core::DropCounter kBadRequestDrops("ctl_bad_request", "malformed control-socket request");

namespace {

const core::DropCounter kLineTooLongDrops("ctl_line_too_long",
                                          "control-socket request line over the limit");

// Splits the byte stream into request lines and answers each.
class LineSession final : public StreamSession {
 public:
  LineSession(StreamConnection& connection, LineHandler& handler)
      : connection_(connection), handler_(handler) {}

  void OnBytes(std::span<const uint8_t> bytes) override {
    pending_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::string reply;
    size_t start = 0;
    for (size_t eol; (eol = pending_.find('\n', start)) != std::string::npos; start = eol + 1) {
      handler_.HandleLine(std::string_view(pending_).substr(start, eol - start), connection_.peer(),
                          reply);
      ++lines_;
    }
    pending_.erase(0, start);
    if (!reply.empty()) connection_.Send(std::move(reply));
    if (pending_.size() > kMaxLine) {
      kLineTooLongDrops.Count();
      LOG_EVERY_SEC(Warn, "ctl: request line from %s longer than %d bytes; closing",
                    connection_.peer(), kMaxLine);
      connection_.Send("E bad_request - request line too long\n.\n");
      connection_.CloseAfterSend();  // `this` is gone once the connection closes
    }
  }

  std::optional<uint64_t> PendingMessage() const override {
    return pending_.empty() ? std::nullopt : std::optional<uint64_t>(lines_);
  }

 private:
  StreamConnection& connection_;
  LineHandler& handler_;
  std::string pending_;
  uint64_t lines_ = 0;  // request lines answered
};

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(core::Ring& ring, core::BufferRing& buffers,
                                                      const std::string& path,
                                                      LineHandler& handler) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return core::ErrnoStatus(ec.value(),
                               core::StrCat("ctl.socket: cannot create ", dir.string()));
    ::chmod(dir.c_str(), 0755);
  }
  ASSIGN_OR_RETURN(Fd fd, ListenUnix(path, 0660));
  if (group* ringcast_group = getgrnam("ringcast")) {
    if (::chown(path.c_str(), static_cast<uid_t>(-1), ringcast_group->gr_gid) != 0) {
      LOG_WARN("ctl: cannot give %s to group ringcast: %s", path, strerror(errno));
    }
  }
  std::unique_ptr<Server> ctl(new Server(ring));
  ctl->path_ = path;
  StreamServerOptions options;
  options.name = "ctl";
  // ringcastctl sends its requests at once and waits for the answers: a connection idle for
  // seconds is not ringcastctl, and must not hold one of the slots the next ringcastctl needs.
  options.max_connections = 256;
  options.idle_timeout_ns = 5 * core::kNsPerSec;
  options.request_timeout_ns = 5 * core::kNsPerSec;
  ctl->server_ = std::make_unique<StreamServer>(
      ring, buffers, std::move(fd), options, [&handler](StreamConnection& connection) {
        return std::make_unique<LineSession>(connection, handler);
      });
  ctl->server_->Start();
  LOG_INFO("ctl: listening on %s", path);
  return ctl;
}

Server::~Server() {
  ring_.Retire(std::move(server_));  // its accept may be in flight
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace ringcast::net::ctl
