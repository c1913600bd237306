// How the bench's visitors connect, in words, and what TLS costs the server: the sentence that
// `bench --tls` adds to its headline, from three constant-rate steps at one rate (the seed's
// flows over HTTPS as the visitors connect, the same over plain HTTP, and new HTTPS visitors).
#pragma once

#include <optional>
#include <string>

#include "bench/limit_search.h"
#include "scenario/scenario.h"

namespace fourdollar::bench {

// "HTTP, keep-alive visitors (one connection each)", "HTTPS, new visitors (a new connection
// and a full TLS handshake each iteration)", "HTTPS, returning visitors (... resumed)".
std::string VisitorsMode(bool tls, scenario::Connections connections);

struct TlsCost {
  std::string visitors;                   // VisitorsMode of the HTTPS step
  double rate_rps = 0;                    // the requests/s the steps were offered
  double https_cpu_ms_per_thousand = -1;  // server CPU-ms per 1000 requests; -1: not measured
  double plain_cpu_ms_per_thousand = -1;
  // Iterations per second of new visitors (TCP and a full handshake each) that one core of the
  // server serves, from the step's iterations and the server's CPU share; -1: not measured.
  double new_visitors_per_core = -1;
};

// New visitors per second one core serves at `step`: its completed iterations per steady
// second over the server's busy share of a core. -1 when the CPU or the iterations are unknown.
double VisitorsPerCore(const StepFigures& step);

// " TLS: 52 server CPU-ms per 1000 requests over HTTPS against 40 over plain HTTP (+30%, ...
// at 500 requests/s); one core serves about 1200 new HTTPS visitors/s (a full handshake each)."
// Parts that were not measured are said so.
std::string FormatTlsCost(const TlsCost& cost);

}  // namespace fourdollar::bench
