// Latency against achieved rate: the run's seconds grouped into bins of achieved requests/s,
// each bin's histograms merged (percentiles of the bin's requests, not averages of per-second
// percentiles). Used for the request duration and for k6's phases. Pure, thread-safe.
#pragma once

#include <functional>

#include <boost/json.hpp>

#include "results/results.h"

namespace fourdollar::report {

// Which histogram of a second's figures to bin: the duration, or one phase.
using HistogramOf = std::function<const results::LatencyHistogram&(const results::NameSecond&)>;

// {"rate": [mean requests/s of each bin], "p50", "p95", "p99": [ms], "seconds": [per bin]};
// seconds with fewer than kMinRequestsPerSecond requests are left out.
boost::json::object RateCurve(const results::Results& results, const HistogramOf& histogram);

}  // namespace fourdollar::report
