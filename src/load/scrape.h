// Reads a server's Prometheus /metrics once: a blocking GET with a deadline, summing each
// metric's series over their labels.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::load {

// Metric name -> the sum of its samples (histogram _bucket lines are skipped).
using ScrapeSample = std::map<std::string, double>;

Result<ScrapeSample> ScrapeMetrics(const std::string& url, int64_t timeout_ms);

// The parsing half, for tests: Prometheus text -> sums by name.
ScrapeSample ParsePrometheusText(std::string_view text);

}  // namespace fourdollar::load
