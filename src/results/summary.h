// The text `fourdollar load` prints at the end of a run.
#pragma once

#include <string>

#include "results/results.h"

namespace fourdollar::results {

// Requests and rate, failures by kind and by status, durations (min avg p50 p90 p95 p99
// p99.9 max, in ms) overall and per name, data sent and received, iterations, dropped
// iterations (with a warning when any), checks, thresholds (✓/✗), and a warning when the
// generator was saturated or the run interrupted. UTF-8; ends with a newline. Pure function.
std::string FormatSummary(const Results& results);

}  // namespace fourdollar::results
