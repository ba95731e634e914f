#include "core/metrics_text.h"

#include <map>

#include "core/strings.h"

namespace ringcast::core {
namespace {

void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

std::string FormatPrometheus(const std::vector<StatSample>& samples) {
  std::map<std::string, std::vector<const StatSample*>> families;
  for (const StatSample& sample : samples) families[sample.metric].push_back(&sample);
  std::string out;
  for (const auto& [metric, members] : families) {
    StrAppend(out, "# HELP ", metric, " ");
    AppendEscaped(out, members.front()->help, false);
    StrAppend(out, "\n# TYPE ", metric, " ", members.front()->counter ? "counter" : "gauge", "\n");
    for (const StatSample* sample : members) {
      out += metric;
      if (!sample->labels.empty()) {
        out += '{';
        for (size_t i = 0; i < sample->labels.size(); ++i) {
          if (i > 0) out += ',';
          StrAppend(out, sample->labels[i].first, "=\"");
          AppendEscaped(out, sample->labels[i].second, true);
          out += '"';
        }
        out += '}';
      }
      StrAppend(out, " ", FormatStatValue(sample->value), "\n");
    }
  }
  return out;
}

}  // namespace ringcast::core
