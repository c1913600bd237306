// The report's view of how requests connect: k6's phases `http_req_connecting` and
// `http_req_tls_handshaking` per second and against the achieved rate, and the TLS handshakes
// made, full and resumed, per second and in all. Pure, thread-safe.
#pragma once

#include <boost/json.hpp>

#include "results/results.h"

namespace fourdollar::report {

// {"t", "connect_p95", "connect_p99", "tls_p95", "tls_p99" (ms, null for a second without
// requests), "full", "resumed" (handshakes per second), "full_total", "resumed_total",
// "rate_connect", "rate_tls" (RateCurve of each phase)}; null when no request of the run made a
// connection (results without phases).
boost::json::value PhasesView(const results::Results& results);

}  // namespace fourdollar::report
