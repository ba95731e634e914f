// Fuzz target for the control protocol: every input line goes through net::ctl::ParseRequest and
// net::ctl::ParseReply (a parsed message must survive Format → Parse unchanged) and through a
// CtlService over a registry with the real tunables. Nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "core/tunables.h"
#include "net/ctl/protocol.h"
#include "tools/ringcastd/ctl_service.h"
#include "tools/ringcastd/settings.h"

namespace ringcast::core {
namespace {

bool SameRequest(const net::ctl::Request& a, const net::ctl::Request& b) {
  return a.verb == b.verb && a.name == b.name && a.value == b.value;
}

bool SameReply(const net::ctl::Reply& a, const net::ctl::Reply& b) {
  return a.kind == b.kind && a.name == b.name && a.text == b.text &&
         (a.kind != net::ctl::Reply::Kind::kError || a.error == b.error);
}

// `wire` is a formatted message with its trailing '\n'.
std::string_view WithoutNewline(const std::string& wire) {
  if (wire.empty() || wire.back() != '\n') std::abort();
  return std::string_view(wire).substr(0, wire.size() - 1);
}

void CheckRequest(std::string_view line) {
  std::string error;
  std::optional<net::ctl::Request> request = net::ctl::ParseRequest(line, &error);
  if (!request) {
    if (error.empty()) std::abort();  // a refusal always says why
    return;
  }
  std::string wire = net::ctl::FormatRequest(*request);
  std::string again_error;
  std::optional<net::ctl::Request> again =
      net::ctl::ParseRequest(WithoutNewline(wire), &again_error);
  if (!again || !SameRequest(*request, *again)) std::abort();
}

void CheckReply(std::string_view line) {
  std::optional<net::ctl::Reply> reply = net::ctl::ParseReply(line);
  if (!reply) return;
  std::string wire = net::ctl::FormatReply(*reply);
  std::optional<net::ctl::Reply> again = net::ctl::ParseReply(WithoutNewline(wire));
  if (!again || !SameReply(*reply, *again)) std::abort();
}

}  // namespace
}  // namespace ringcast::core

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringcast::core;
  static const bool quiet = [] {
    SetLogSinkForTest([](LogLevel, std::string_view) {});
    return true;
  }();
  (void)quiet;

  Registry registry;
  ringcast::daemon::DefineAllTunables(registry);
  registry.AddStatSource([](std::vector<StatSample>& out) {
    out.push_back({.name = "stats.paths", .value = 1, .metric = "ringcast_paths", .help = "paths"});
    out.push_back({.name = "stats.drops.ctl_bad_request",
                   .value = 0.5,
                   .metric = "ringcast_drops_total",
                   .labels = {{"reason", "ctl_bad_request"}},
                   .help = "drops",
                   .counter = true});
  });
  // RELOAD applies a fixed config: a path, a restart-only key and a bad line on every other call.
  int reloads = 0;
  ringcast::daemon::CtlService service(registry, [&registry, &reloads]() -> absl::Status {
    std::vector<ConfigLine> lines = {
        {.file = "fuzz.conf", .line = 1, .key = "core.workers", .value = "2"},
        {.file = "fuzz.conf", .line = 2, .key = "path.cam1.source", .value = "publisher"},
    };
    if (++reloads % 2 == 0) {
      lines.push_back({.file = "fuzz.conf", .line = 3, .key = "core.nope", .value = "1"});
    }
    return registry.ApplyConfig(lines, /*startup=*/false);
  });

  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string out;
  size_t start = 0;
  while (start <= input.size()) {
    size_t eol = input.find('\n', start);
    std::string_view line =
        input.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    CheckRequest(line);
    CheckReply(line);
    out.clear();
    service.HandleLine(line, "fuzz", out);
    // Every reply is well-formed lines ended by ".\n".
    if (out.size() < 2 || out.compare(out.size() - 2, 2, ".\n") != 0) std::abort();
    size_t reply_start = 0;
    for (size_t reply_end; (reply_end = out.find('\n', reply_start)) != out.size() - 1;
         reply_start = reply_end + 1) {
      if (!ringcast::net::ctl::ParseReply(
              std::string_view(out).substr(reply_start, reply_end - reply_start))) {
        std::abort();
      }
    }
    if (eol == std::string_view::npos) break;
    start = eol + 1;
  }
  return 0;
}
