// How the bench's visitors connect, in words, and what TLS costs the server: the sentence that
// `bench --tls` adds to its headline, from three constant-rate steps at one rate (the seed's
// flows over HTTPS as the visitors connect, the same over plain HTTP, and new HTTPS visitors).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "bench/limit_search.h"
#include "net/private_ca.h"
#include "results/results.h"
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

// What the bench's run lends the TLS cost steps.
struct TlsCostSteps {
  // Runs `file`'s flows for one constant-rate step into the folder tls-cost/NAME and says its
  // figures; an error when the step or the server failed.
  std::function<Result<StepFigures>(const scenario::ScenarioFile& file, const std::string& name)>
      run;
  // Replaces the HTTPS server by a plain one on the same store; returns the seed scenario
  // aimed at it, its flows connecting as in `seed`.
  std::function<Result<scenario::ScenarioFile>()> restart_plain;
  std::function<bool()> stopping;  // a Ctrl-C came: no further step
};

// The three steps (`seed` over HTTPS; as new visitors unless they are already; over plain HTTP
// after restart_plain), filling `cost` as they go, so that what was measured before a failure
// or an interruption is kept.
Status MeasureTlsCost(const scenario::ScenarioFile& seed, const TlsCostSteps& steps, TlsCost* cost);

// What can be measured of TLS against a remote https:// target, from the seed scenario's run:
// the bench can neither restart that server without TLS nor read its CPU, unless its /metrics
// says process_cpu_seconds_total.
struct RemoteTlsView {
  std::string visitors;              // VisitorsMode of the run
  double full_handshakes_per_s = 0;  // over the steady seconds
  double resumed_handshakes_per_s = 0;
  double connect_mean_ms = -1;            // per new connection; -1: none was made
  double handshake_mean_ms = -1;          // per handshake (full or resumed); -1: none was made
  double https_cpu_ms_per_thousand = -1;  // from the scraped CPU; -1: not scraped
};

// The view of `seed` (its results) and `steady` (its steady seconds, SteadyFigures).
RemoteTlsView RemoteTlsViewOf(const results::Results& seed, const StepFigures& steady,
                              const std::string& visitors);

// " TLS, seen from the generator (remote server): 40 full and 0 resumed handshakes/s, ...; the
// server's CPU ...; without TLS: not measured (...)." Parts that cannot be measured say why.
std::string FormatRemoteTls(const RemoteTlsView& view);

// The throwaway certificate of `bench --tls`, made in `dir`: a private CA (DIR/bench-ca.crt)
// and a server certificate it signs, ECDSA P-256 for 127.0.0.1 and localhost, valid 7 days.
struct ThrowawayCertificate {
  net::CertificateFiles files;
  std::string ca_file;
};
Result<ThrowawayCertificate> MakeThrowawayCertificate(const std::string& dir);

// " TLS: 52 server CPU-ms per 1000 requests over HTTPS against 40 over plain HTTP (+30%, ...
// at 500 requests/s); one core serves about 1200 new HTTPS visitors/s (a full handshake each)."
// Parts that were not measured are said so.
std::string FormatTlsCost(const TlsCost& cost);

}  // namespace fourdollar::bench
