// Prometheus text exposition (format 0.0.4) of the stats.* figures, served on /metrics.
// A pure function of the samples; any thread.
#ifndef RINGCAST_CORE_METRICS_TEXT_H_
#define RINGCAST_CORE_METRICS_TEXT_H_

#include <string>
#include <vector>

#include "core/tunables.h"

namespace ringcast::core {

// One "# HELP" and "# TYPE" per metric family, then its samples, families sorted by name.
std::string FormatPrometheus(const std::vector<StatSample>& samples);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_METRICS_TEXT_H_
