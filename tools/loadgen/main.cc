// ringcast-loadgen: the benchmark load generator (README.md in this folder). Parses the command
// line, runs one Loadgen and prints the summary; --json writes the full report.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "core/signals.h"
#include "tools/loadgen/loadgen.h"
#include "tools/loadgen/options.h"
#include "tools/loadgen/report.h"

int main(int argc, char** argv) {
  using namespace ringcast;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  absl::StatusOr<loadgen::Options> options = loadgen::ParseOptions(args);
  if (!options.ok()) {
    if (absl::IsCancelled(options.status())) {  // --help
      std::fputs(std::string(core::ToStd(options.status().message())).c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "ringcast-loadgen: %s\n",
                 std::string(core::ToStd(options.status().message())).c_str());
    return 2;
  }
  core::SetLogLevel(core::LogLevel::kWarn);
  // One UDP socket per viewer: lift the soft descriptor limit to the hard one.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  if (absl::Status s = core::BlockSignals({SIGINT, SIGTERM}); !s.ok()) {
    std::fprintf(stderr, "ringcast-loadgen: %s\n", std::string(core::ToStd(s.message())).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<loadgen::Loadgen>> run = loadgen::Loadgen::Create(*options);
  if (!run.ok()) {
    std::fprintf(stderr, "ringcast-loadgen: %s\n",
                 std::string(core::ToStd(run.status().message())).c_str());
    return 1;
  }
  const loadgen::RunResult result = (*run)->Run();
  run->reset();
  std::fputs(loadgen::FormatSummary(result).c_str(), stdout);
  if (!options->json_path.empty()) {
    std::ofstream out(options->json_path, std::ios::trunc);
    out << loadgen::FormatJson(result);
    if (!out) {
      std::fprintf(stderr, "ringcast-loadgen: cannot write %s\n", options->json_path.c_str());
      return 1;
    }
  }
  return 0;
}
