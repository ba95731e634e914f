// ringcastd: RTSP in, WebRTC (WHEP) and RTSP out. See README.md and ringcastd(8).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "core/log.h"
#include "core/tunables.h"
#include "crypto/library_info.h"
#include "tools/build_info.h"
#include "tools/ringcastd/daemon.h"
#include "tools/ringcastd/docgen.h"

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: ringcastd [--config FILE] [--config-dir DIR] [--check-config]\n"
               "\n"
               "  --config FILE      read FILE instead of %s (it must exist)\n"
               "  --config-dir DIR   read DIR/*.conf after it (default %s;\n"
               "                     with --config, none unless given)\n"
               "  --check-config     validate the config files and exit (0 when good)\n"
               "  --version          print version and crypto library, and exit\n"
               "\n"
               "Generated files (the packages ship these; they come from the tunables registry):\n"
               "  --print-default-config        the default ringcast.conf, every key commented\n"
               "  --print-man ringcastd|ringcastctl|conf   a man page in roff\n"
               "  --print-bash-completion       bash completion for ringcastctl\n",
               ringcast::core::kDefaultConfigFile, ringcast::core::kDefaultConfigDir);
}

// --print-*: writes a generated file to stdout.
int PrintGenerated(std::string_view what, std::string_view page) {
  ringcast::core::SetLogLevel(ringcast::core::LogLevel::kWarn);  // not "path NAME added"
  ringcast::core::Registry registry;
  ringcast::daemon::DefineDocumentedTunables(registry);
  std::string text;
  if (what == "config") {
    text = ringcast::daemon::DefaultConfig(registry);
  } else if (what == "completion") {
    text = ringcast::daemon::BashCompletion(registry);
  } else {
    absl::StatusOr<std::string> man = ringcast::daemon::ManPage(registry, page);
    if (!man.ok()) {
      std::fprintf(stderr, "ringcastd: --print-man: %s\n",
                   std::string(man.status().message()).c_str());
      return 2;
    }
    text = *std::move(man);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  ringcast::daemon::DaemonOptions options;
  bool config_dir_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ringcastd: %s needs a value\n", flag);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--config" || arg == "-c") {
      options.config_file = value("--config");
      options.config_required = true;
    } else if (arg == "--config-dir") {
      options.config_dir = value("--config-dir");
      config_dir_given = true;
    } else if (arg == "--check-config" || arg == "-t") {
      options.check_only = true;
    } else if (arg == "--version" || arg == "-V") {
      std::printf("ringcastd %s (crypto: %s, loaded: %s; %s build)\n", RINGCAST_VERSION,
                  ringcast::crypto::CompiledCryptoLibrary(),
                  ringcast::crypto::LoadedCryptoVersion().c_str(), RINGCAST_BUILD_TYPE);
      return 0;
    } else if (arg == "--print-default-config") {
      return PrintGenerated("config", "");
    } else if (arg == "--print-man") {
      return PrintGenerated("man", value("--print-man"));
    } else if (arg == "--print-bash-completion") {
      return PrintGenerated("completion", "");
    } else if (arg == "--help" || arg == "-h") {
      Usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "ringcastd: unknown option %s\n", arg.c_str());
      Usage(stderr);
      return 2;
    }
  }
  // An explicit --config stands alone unless a directory is named too.
  if (options.config_required && !config_dir_given) options.config_dir.clear();
  return ringcast::daemon::RunDaemon(options);
}
