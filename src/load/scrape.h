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

// How https:// URLs are read: with the load's client context (its CA or insecure setting),
// and, for a URL on the target's host, with the target's server name (the scenario's
// `server_name`) for SNI and verification; on any other host, with that host.
struct ScrapeTls {
  std::shared_ptr<const net::TlsContext> context;  // null: https:// URLs are refused
  std::string target_host;                         // the target URL's host
  std::string server_name;                         // the name the target is verified as
};

// `urls`: one URL or several separated by commas; the deadline applies to each. The samples
// of those that answered; an error (the first) when none did.
Result<ScrapeSample> ScrapeMetrics(const std::string& urls, int64_t timeout_ms,
                                   const ScrapeTls& tls = {});

// The parsing half, for tests: Prometheus text -> sums by name.
ScrapeSample ParsePrometheusText(std::string_view text);

}  // namespace fourdollar::load
