// Reads a server's Prometheus /metrics once: a blocking GET with a deadline, summing each
// metric's series over their labels. Several URLs (comma-separated) are read one after the
// other into one sample: the server's own /metrics and a Prometheus node_exporter of its
// machine, whose node_cpu_seconds_total is kept per mode (summed over CPUs) as
// node_cpu_seconds_total{mode="user"}, {mode="system"}, ...
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/tls_context.h"

namespace fourdollar::load {

// Metric name -> the sum of its samples (histogram _bucket lines are skipped).
using ScrapeSample = std::map<std::string, double>;

// `urls`: one URL or several separated by commas; the deadline applies to each. The samples
// of those that answered; an error (the first) when none did. An https:// URL is read with
// `tls` (the load's client context: its CA or insecure setting), verified against the URL's
// host; without `tls` it is refused.
Result<ScrapeSample> ScrapeMetrics(const std::string& urls, int64_t timeout_ms,
                                   const std::shared_ptr<const net::TlsContext>& tls = nullptr);

// The parsing half, for tests: Prometheus text -> sums by name.
ScrapeSample ParsePrometheusText(std::string_view text);

}  // namespace fourdollar::load
