// ringcastctl: read and tune a running ringcastd the way sysctl(8) reads and tunes the kernel.
//
//   ringcastctl webrtc.nack            webrtc.nack = 1
//   ringcastctl -n webrtc.nack         1
//   ringcastctl -a | -A | -X           every tunable and stats.* figure
//   ringcastctl -w webrtc.nack=0       write live (also: ringcastctl webrtc.nack=0)
//   ringcastctl -p [FILE]              apply a file (default /etc/ringcast/ringcast.conf)
//   ringcastctl --system               apply ringcast.conf, then conf.d/*.conf
//   ringcastctl -d [NAME...]           descriptions, types, ranges, defaults
//   ringcastctl --hash-password USER   the hashed line to store as path.NAME.*_pass
//
// Exit status: 0 when every key was read or written, 1 when any failed, 2 on a usage error.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/strings.h"
#include "net/ctl/protocol.h"
#include "tools/build_info.h"
#include "tools/ringcastctl/ctl_client.h"
#include "tools/ringcastctl/hash_password.h"

namespace ringcast::tools {
namespace {

using core::StrCat;
using net::ctl::Error;
using net::ctl::Reply;
using net::ctl::Request;

constexpr const char* kDefaultSocket = "/run/ringcast/ctl.sock";

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: ringcastctl [options] [NAME...] [NAME=VALUE...]\n"
               "\n"
               "Read and tune a running ringcastd, like sysctl(8).\n"
               "\n"
               "  -a, -A, -X        show every tunable and stats.* figure\n"
               "  -n                print values only\n"
               "  -N                print names only\n"
               "  -w                write NAME=VALUE arguments (live)\n"
               "  -p [FILE]         apply FILE (default %s)\n"
               "      --system      apply %s, then %s/*.conf\n"
               "  -d                print descriptions (type, range, default, live or at restart)\n"
               "  -e, --ignore      ignore unknown keys\n"
               "  -q, --quiet       do not print values that were written\n"
               "      --remove-path NAME   remove path NAME live\n"
               "      --reload      re-read the daemon's config files (same as SIGHUP)\n"
               "      --hash-password USER  read a password (stdin or prompt) and print the\n"
               "                    hashed line for path.NAME.read_pass / publish_pass whose\n"
               "                    user is USER (Basic, Bearer and Digest); with --no-digest\n"
               "                    Basic/Bearer only; --iterations N (PBKDF2, default 10000)\n"
               "  -S, --socket PATH control socket (default $RINGCAST_CTL_SOCKET or %s)\n"
               "  -V, --version     print version\n",
               core::kDefaultConfigFile, core::kDefaultConfigFile, core::kDefaultConfigDir,
               kDefaultSocket);
}

struct Options {
  bool all = false;
  bool values_only = false;
  bool names_only = false;
  bool write = false;
  bool describe = false;
  bool ignore_unknown = false;
  bool quiet = false;
  bool system = false;
  bool reload = false;
  std::optional<std::string> load_file;
  std::vector<std::string> remove_paths;
  std::string socket;
  std::vector<std::string> args;
};

class Ctl {
 public:
  explicit Ctl(Options options) : options_(std::move(options)) {}
  int Run();

 private:
  // Prints the error for one key, sysctl style; returns false when it counts as a failure.
  bool ReportError(const Reply& reply, bool writing, std::string_view where = {});
  bool EnsureConnected(std::string_view key, bool writing);
  bool Read(const std::string& name);
  bool Write(const std::string& name, const std::string& value, std::string_view where = {});
  bool Describe(const std::string& name);
  bool LoadFile(const std::string& file);
  void PrintValue(const Reply& reply);

  Options options_;
  std::optional<CtlClient> client_;
};

bool Ctl::EnsureConnected(std::string_view key, bool writing) {
  if (client_) return true;
  absl::StatusOr<CtlClient> client = CtlClient::Connect(options_.socket);
  if (!client.ok()) {
    std::string what = key.empty()
                           ? std::string()
                           : StrCat(writing ? "setting" : "reading", " key \"", key, "\": ");
    std::fprintf(stderr, "ringcastctl: %s%s\n", what.c_str(),
                 std::string(client.status().message()).c_str());
    return false;
  }
  client_.emplace(std::move(client).value());
  return true;
}

bool Ctl::ReportError(const Reply& reply, bool writing, std::string_view where) {
  std::string prefix =
      where.empty() ? std::string("ringcastctl: ") : StrCat("ringcastctl: ", where, ": ");
  std::string message = reply.text;
  // The daemon's message may start with the key itself ("webrtc.nack: invalid value …").
  std::string key_prefix = StrCat(reply.name, ": ");
  if (message.rfind(key_prefix, 0) == 0) message.erase(0, key_prefix.size());
  switch (reply.error) {
    case Error::kUnknown:
      if (options_.ignore_unknown) return true;
      std::fprintf(stderr, "%sunknown key \"%s\"\n", prefix.c_str(), reply.name.c_str());
      return false;
    case Error::kReadOnly:
      std::fprintf(stderr, "%spermission denied on key \"%s\": read-only\n", prefix.c_str(),
                   reply.name.c_str());
      return false;
    default:
      std::fprintf(stderr, "%s%s key \"%s\": %s\n", prefix.c_str(), writing ? "setting" : "reading",
                   reply.name.c_str(), message.c_str());
      return false;
  }
}

void Ctl::PrintValue(const Reply& reply) {
  if (options_.names_only) {
    std::printf("%s\n", reply.name.c_str());
  } else if (options_.values_only) {
    std::printf("%s\n", reply.text.c_str());
  } else {
    std::printf("%s = %s\n", reply.name.c_str(), reply.text.c_str());
  }
}

bool Ctl::Read(const std::string& name) {
  if (!EnsureConnected(name, false)) return false;
  // A name that is a prefix ("webrtc") lists its subtree, like sysctl net.ipv4.
  Request request{.verb = Request::Verb::kList, .name = name};
  absl::StatusOr<std::vector<Reply>> replies = client_->Call(request);
  if (!replies.ok()) {
    std::fprintf(stderr, "ringcastctl: reading key \"%s\": %s\n", name.c_str(),
                 std::string(replies.status().message()).c_str());
    return false;
  }
  bool ok = true;
  for (const Reply& reply : *replies) {
    if (reply.kind == Reply::Kind::kError) {
      ok = ReportError(reply, false) && ok;
    } else {
      PrintValue(reply);
    }
  }
  return ok;
}

bool Ctl::Write(const std::string& name, const std::string& value, std::string_view where) {
  if (!EnsureConnected(name, true)) return false;
  Request request{.verb = Request::Verb::kSet, .name = name, .value = value};
  absl::StatusOr<std::vector<Reply>> replies = client_->Call(request);
  if (!replies.ok()) {
    std::fprintf(stderr, "ringcastctl: setting key \"%s\": %s\n", name.c_str(),
                 std::string(replies.status().message()).c_str());
    return false;
  }
  bool ok = true;
  for (const Reply& reply : *replies) {
    if (reply.kind == Reply::Kind::kError) {
      ok = ReportError(reply, true, where) && ok;
    } else if (!options_.quiet) {
      PrintValue(reply);
    }
  }
  return ok;
}

bool Ctl::Describe(const std::string& name) {
  if (!EnsureConnected(name, false)) return false;
  absl::StatusOr<std::vector<Reply>> replies =
      client_->Call(Request{.verb = Request::Verb::kDesc, .name = name});
  if (!replies.ok()) {
    std::fprintf(stderr, "ringcastctl: reading key \"%s\": %s\n", name.c_str(),
                 std::string(replies.status().message()).c_str());
    return false;
  }
  bool ok = true;
  for (const Reply& reply : *replies) {
    if (reply.kind == Reply::Kind::kError) {
      ok = ReportError(reply, false) && ok;
    } else {
      std::printf("%s: %s\n", reply.name.c_str(), reply.text.c_str());
    }
  }
  return ok;
}

bool Ctl::LoadFile(const std::string& file) {
  absl::StatusOr<std::vector<core::ConfigLine>> lines = core::ReadConfigFile(file);
  if (!lines.ok()) {
    std::string message(lines.status().message());
    size_t start = 0;
    for (size_t eol; (eol = message.find('\n', start)) != std::string::npos; start = eol + 1) {
      std::fprintf(stderr, "ringcastctl: %s\n", message.substr(start, eol - start).c_str());
    }
    std::fprintf(stderr, "ringcastctl: %s\n", message.substr(start).c_str());
    return false;
  }
  bool ok = true;
  for (const core::ConfigLine& line : *lines) {
    bool quiet_errors = line.ignore_errors;
    std::string where = StrCat(line.file, ":", line.line);
    if (quiet_errors) {
      // "-key = value": failures on this line are ignored (sysctl.conf(5)).
      if (!EnsureConnected(line.key, true)) return false;
      absl::StatusOr<std::vector<Reply>> replies = client_->Call(
          Request{.verb = Request::Verb::kSet, .name = line.key, .value = line.value});
      if (replies.ok() && !options_.quiet) {
        for (const Reply& reply : *replies) {
          if (reply.kind == Reply::Kind::kValue) PrintValue(reply);
        }
      }
      continue;
    }
    ok = Write(line.key, line.value, where) && ok;
  }
  return ok;
}

int Ctl::Run() {
  bool ok = true;
  bool did_something = false;
  if (options_.reload) {
    did_something = true;
    if (!EnsureConnected("", true)) return 1;
    absl::StatusOr<std::vector<Reply>> replies =
        client_->Call(Request{.verb = Request::Verb::kReload});
    if (!replies.ok()) {
      std::fprintf(stderr, "ringcastctl: reload: %s\n",
                   std::string(replies.status().message()).c_str());
      return 1;
    }
    for (const Reply& reply : *replies) {
      if (reply.kind == Reply::Kind::kError) {
        std::fprintf(stderr, "ringcastctl: reload refused: %s\n", reply.text.c_str());
        ok = false;
      } else if (!options_.quiet) {
        std::printf("config reloaded\n");
      }
    }
  }
  for (const std::string& path : options_.remove_paths) {
    did_something = true;
    std::string key = StrCat("path.", path);
    if (!EnsureConnected(key, true)) return 1;
    absl::StatusOr<std::vector<Reply>> replies =
        client_->Call(Request{.verb = Request::Verb::kDelPath, .name = path});
    if (!replies.ok()) return 1;
    for (const Reply& reply : *replies) {
      if (reply.kind == Reply::Kind::kError) {
        std::fprintf(stderr, "ringcastctl: removing path \"%s\": %s\n", path.c_str(),
                     reply.text.c_str());
        ok = false;
      } else if (!options_.quiet) {
        std::printf("%s removed\n", reply.name.c_str());
      }
    }
  }
  if (options_.system) {
    did_something = true;
    absl::StatusOr<std::vector<std::string>> files =
        core::ConfigFileList(core::kDefaultConfigFile, core::kDefaultConfigDir, false);
    if (!files.ok()) {
      std::fprintf(stderr, "ringcastctl: %s\n", std::string(files.status().message()).c_str());
      return 1;
    }
    for (const std::string& file : *files) {
      if (!options_.quiet) std::printf("* Applying %s ...\n", file.c_str());
      ok = LoadFile(file) && ok;
    }
  }
  if (options_.load_file) {
    did_something = true;
    ok = LoadFile(*options_.load_file) && ok;
  }
  if (options_.all) {
    did_something = true;
    ok = options_.describe ? Describe("") : Read("");
  }
  for (const std::string& arg : options_.args) {
    did_something = true;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      ok = Write(arg.substr(0, eq), arg.substr(eq + 1)) && ok;
    } else if (options_.write) {
      std::fprintf(stderr, "ringcastctl: \"%s\" must be of the form NAME=VALUE\n", arg.c_str());
      ok = false;
    } else {
      ok = (options_.describe ? Describe(arg) : Read(arg)) && ok;
    }
  }
  if (!did_something) {
    Usage(stderr);
    return 2;
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace ringcast::tools

int main(int argc, char** argv) {
  using ringcast::tools::Options;
  Options options;
  const char* env_socket = std::getenv("RINGCAST_CTL_SOCKET");
  options.socket =
      env_socket != nullptr && *env_socket != '\0' ? env_socket : ringcast::tools::kDefaultSocket;
  bool options_done = false;
  std::optional<ringcast::tools::HashPasswordOptions> hash;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto need_value = [&](const char* flag) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ringcastctl: %s needs a value\n", flag);
        std::exit(2);
      }
      return argv[++i];
    };
    if (options_done || arg.empty() || arg[0] != '-') {
      options.args.push_back(arg);
    } else if (arg == "--") {
      options_done = true;
    } else if (arg == "--system") {
      options.system = true;
    } else if (arg == "--ignore") {
      options.ignore_unknown = true;
    } else if (arg == "--quiet") {
      options.quiet = true;
    } else if (arg == "--reload") {
      options.reload = true;
    } else if (arg == "--hash-password") {
      if (!hash) hash.emplace();
      hash->user = need_value("--hash-password");
    } else if (arg == "--no-digest") {
      if (!hash) hash.emplace();
      hash->with_digest = false;
    } else if (arg == "--iterations") {
      if (!hash) hash.emplace();
      const std::string value = need_value("--iterations");
      hash->iterations = static_cast<uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
      if (hash->iterations == 0) hash->iterations = 1;  // refused as out of range
    } else if (arg == "--remove-path") {
      options.remove_paths.push_back(need_value("--remove-path"));
    } else if (arg == "--socket") {
      options.socket = need_value("--socket");
    } else if (arg.rfind("--socket=", 0) == 0) {
      options.socket = arg.substr(9);
    } else if (arg == "--load") {
      options.load_file = need_value("--load");
    } else if (arg == "--all") {
      options.all = true;
    } else if (arg == "--write") {
      options.write = true;
    } else if (arg == "--values") {
      options.values_only = true;
    } else if (arg == "--names") {
      options.names_only = true;
    } else if (arg == "--help") {
      ringcast::tools::Usage(stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("ringcastctl %s\n", RINGCAST_VERSION);
      return 0;
    } else if (arg.size() >= 2 && arg[1] != '-') {
      // Bundled short options, sysctl style: -nq, -p FILE, -S PATH.
      for (size_t j = 1; j < arg.size(); ++j) {
        switch (arg[j]) {
          case 'a':
          case 'A':
          case 'X':
            options.all = true;
            break;
          case 'n':
            options.values_only = true;
            break;
          case 'N':
            options.names_only = true;
            break;
          case 'w':
            options.write = true;
            break;
          case 'd':
            options.describe = true;
            break;
          case 'e':
            options.ignore_unknown = true;
            break;
          case 'q':
            options.quiet = true;
            break;
          case 'h':
            ringcast::tools::Usage(stdout);
            return 0;
          case 'V':
            std::printf("ringcastctl %s\n", RINGCAST_VERSION);
            return 0;
          case 'p':
            // sysctl -p takes an optional file: the next argument unless it is an option.
            if (j + 1 < arg.size()) {
              options.load_file = arg.substr(j + 1);
            } else if (i + 1 < argc && argv[i + 1][0] != '-') {
              options.load_file = argv[++i];
            } else {
              options.load_file = ringcast::core::kDefaultConfigFile;
            }
            j = arg.size();
            break;
          case 'S':
            options.socket = j + 1 < arg.size() ? arg.substr(j + 1) : need_value("-S");
            j = arg.size();
            break;
          default:
            std::fprintf(stderr, "ringcastctl: unknown option -%c\n", arg[j]);
            ringcast::tools::Usage(stderr);
            return 2;
        }
      }
    } else {
      std::fprintf(stderr, "ringcastctl: unknown option %s\n", arg.c_str());
      ringcast::tools::Usage(stderr);
      return 2;
    }
  }
  if (hash) return ringcast::tools::HashPassword(*hash);
  return ringcast::tools::Ctl(std::move(options)).Run();
}
