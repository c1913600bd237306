// Judges a scenario's thresholds against a run's results.
#pragma once

#include <vector>

#include "results/results.h"
#include "results/threshold.h"

namespace fourdollar::results {

// Metrics and the aggregates that apply to them (others give an unevaluated, failed outcome):
//   http_req_duration   p(x), avg, min, max, med, in milliseconds
//   http_req_failed     rate: failed requests / requests
//   http_reqs           count; rate: requests per second of the run
//   checks              rate: passed checks / checks
//   iterations          count; rate: iterations per second of the run
//   dropped_iterations  count
// A name_filter restricts the http_* metrics to requests of that name; it does not apply to
// the others. Pure function, thread-safe.
std::vector<ThresholdOutcome> EvaluateThresholds(const std::vector<Threshold>& thresholds,
                                                 const Results& results);

// "p(95)", "avg", "rate"...: the aggregate as written in a threshold.
std::string AggregateText(const Threshold& threshold);
// "<", "<=", ">", ">=", "==", "!=".
const char* OpText(Threshold::Op op);

}  // namespace fourdollar::results
