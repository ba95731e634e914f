// FormatPrometheus: the exact /metrics text (exposition format 0.0.4) for families with and
// without labels, counters and gauges, escaping, and number formatting.
#include "core/metrics_text.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(FormatPrometheusTest, FamiliesSortedWithOneHelpAndType) {
  std::vector<StatSample> samples = {
      {.name = "stats.drops.rx_truncated",
       .value = 3,
       .metric = "ringcast_drops_total",
       .labels = {{"reason", "rx_truncated"}},
       .help = "packets and requests dropped, by reason",
       .counter = true},
      {.name = "stats.paths", .value = 2, .metric = "ringcast_paths", .help = "configured paths"},
      {.name = "stats.drops.ctl_bad_request",
       .value = 1,
       .metric = "ringcast_drops_total",
       .labels = {{"reason", "ctl_bad_request"}},
       .help = "packets and requests dropped, by reason",
       .counter = true},
      {.name = "stats.config.reloads",
       .value = 0,
       .metric = "ringcast_config_reloads_total",
       .help = "successful config reloads (SIGHUP or ringcastctl)",
       .counter = true},
  };
  std::string text = FormatPrometheus(samples);
  EXPECT_EQ(text,
            "# HELP ringcast_config_reloads_total successful config reloads (SIGHUP or "
            "ringcastctl)\n"
            "# TYPE ringcast_config_reloads_total counter\n"
            "ringcast_config_reloads_total 0\n"
            "# HELP ringcast_drops_total packets and requests dropped, by reason\n"
            "# TYPE ringcast_drops_total counter\n"
            "ringcast_drops_total{reason=\"rx_truncated\"} 3\n"
            "ringcast_drops_total{reason=\"ctl_bad_request\"} 1\n"
            "# HELP ringcast_paths configured paths\n"
            "# TYPE ringcast_paths gauge\n"
            "ringcast_paths 2\n");
  EXPECT_EQ(Count(text, "# HELP ringcast_drops_total "), 1u);
  EXPECT_EQ(Count(text, "# TYPE ringcast_drops_total "), 1u);
}

TEST(FormatPrometheusTest, LabelsRenderedInOrderAndEscaped) {
  std::vector<StatSample> samples = {
      {.name = "stats.path.cam1.readers",
       .value = 4,
       .metric = "ringcast_path_readers",
       .labels = {{"path", "cam\"1"}, {"note", "a\\b\nc"}, {"empty", ""}},
       .help = "readers per path\nsecond line with a \\ and \"quotes\""},
  };
  EXPECT_EQ(FormatPrometheus(samples),
            "# HELP ringcast_path_readers readers per path\\nsecond line with a \\\\ and "
            "\"quotes\"\n"
            "# TYPE ringcast_path_readers gauge\n"
            "ringcast_path_readers{path=\"cam\\\"1\",note=\"a\\\\b\\nc\",empty=\"\"} 4\n");
}

TEST(FormatPrometheusTest, NumberFormatting) {
  std::vector<StatSample> samples = {
      {.name = "stats.a", .value = 1234567, .metric = "a_total", .help = "a", .counter = true},
      {.name = "stats.b", .value = 0.25, .metric = "b", .help = "b"},
      {.name = "stats.c", .value = -7, .metric = "c", .help = "c"},
      {.name = "stats.d",
       .value = 4503599627370496.0,
       .metric = "d_total",
       .help = "d",
       .counter = true},
  };
  EXPECT_EQ(FormatPrometheus(samples),
            "# HELP a_total a\n# TYPE a_total counter\na_total 1234567\n"
            "# HELP b b\n# TYPE b gauge\nb 0.25\n"
            "# HELP c c\n# TYPE c gauge\nc -7\n"
            "# HELP d_total d\n# TYPE d_total counter\nd_total 4503599627370496\n");
}

TEST(FormatPrometheusTest, NoSamplesNoText) { EXPECT_EQ(FormatPrometheus({}), ""); }

}  // namespace
}  // namespace ringcast::core
