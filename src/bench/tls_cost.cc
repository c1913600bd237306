#include "bench/tls_cost.h"

#include <filesystem>

#include "bench/headline.h"
#include "bench/sentence.h"

namespace fourdollar::bench {

std::string VisitorsMode(bool tls, scenario::Connections connections) {
  std::string mode = tls ? "HTTPS, " : "HTTP, ";
  switch (connections) {
    case scenario::Connections::kKeepAlive:
      return mode + "keep-alive visitors (one connection each)";
    case scenario::Connections::kPerIteration:
      return mode + "new visitors (a new connection" + (tls ? " and a full TLS handshake" : "") +
             " each iteration)";
    case scenario::Connections::kPerIterationResumed:
      return mode + "returning visitors (a new connection each iteration" +
             (tls ? ", the TLS session resumed" : "") + ")";
  }
  return mode;
}

double VisitorsPerCore(const StepFigures& step) {
  if (step.server_cpu_percent <= 0 || step.steady_seconds <= 0 || step.iterations == 0) return -1;
  const double per_second =
      static_cast<double>(step.iterations) / static_cast<double>(step.steady_seconds);
  return per_second / (step.server_cpu_percent / 100.0);
}

Status MeasureTlsCost(const scenario::ScenarioFile& seed, const TlsCostSteps& steps,
                      TlsCost* cost) {
  const scenario::Connections connections = seed.scenarios[0].connections;
  Result<StepFigures> https = steps.run(seed, "https");
  if (!https) return tl::unexpected(https.error());
  cost->https_cpu_ms_per_thousand = CpuMsPerThousand(*https);
  if (connections == scenario::Connections::kPerIteration) {
    cost->new_visitors_per_core = VisitorsPerCore(*https);
  } else if (!steps.stopping()) {
    scenario::ScenarioFile visitors = seed;
    for (scenario::Scenario& flow : visitors.scenarios) {
      flow.connections = scenario::Connections::kPerIteration;
    }
    Result<StepFigures> fresh = steps.run(visitors, "https-new-visitors");
    if (!fresh) return tl::unexpected(fresh.error());
    cost->new_visitors_per_core = VisitorsPerCore(*fresh);
  }
  if (steps.stopping()) return {};
  Result<scenario::ScenarioFile> plain = steps.restart_plain();
  if (!plain) return tl::unexpected(plain.error());
  Result<StepFigures> reference = steps.run(*plain, "plain");
  if (!reference) return tl::unexpected(reference.error());
  cost->plain_cpu_ms_per_thousand = CpuMsPerThousand(*reference);
  return {};
}

Result<ThrowawayCertificate> MakeThrowawayCertificate(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  Result<std::unique_ptr<net::PrivateCa>> ca = net::PrivateCa::Create(dir, "bench");
  if (!ca) return tl::unexpected(ca.error());
  Result<net::CertificateFiles> files =
      (*ca)->Issue("server", {.common_name = "fourdollar bench", .valid_days = 7});
  if (!files) return tl::unexpected(files.error());
  return ThrowawayCertificate{.files = *files, .ca_file = (*ca)->ca_file()};
}

RemoteTlsView RemoteTlsViewOf(const results::Results& seed, const StepFigures& steady,
                              const std::string& visitors) {
  RemoteTlsView view{.visitors = visitors};
  if (steady.steady_seconds > 0) {
    const double seconds = static_cast<double>(steady.steady_seconds);
    view.full_handshakes_per_s = static_cast<double>(steady.tls_full_handshakes) / seconds;
    view.resumed_handshakes_per_s = static_cast<double>(steady.tls_resumed_handshakes) / seconds;
  }
  // A request on a kept connection adds 0 to these phases: their sums are the new connections'.
  const uint64_t handshakes =
      seed.overall.tls_full_handshakes + seed.overall.tls_resumed_handshakes;
  if (handshakes > 0) {
    const double n = static_cast<double>(handshakes);
    view.connect_mean_ms = static_cast<double>(seed.overall.phases[1].sum_us()) / n / 1000.0;
    view.handshake_mean_ms = static_cast<double>(seed.overall.phases[2].sum_us()) / n / 1000.0;
  }
  view.https_cpu_ms_per_thousand = CpuMsPerThousand(steady);
  return view;
}

std::string FormatRemoteTls(const RemoteTlsView& view) {
  std::string text = " TLS, seen from the generator (remote server; " + view.visitors + "): ";
  if (view.handshake_mean_ms >= 0) {
    text += Printf(
        "%s full and %s resumed handshakes/s, a connect taking %.2f ms and a handshake "
        "%.2f ms on average",
        RateText(view.full_handshakes_per_s).c_str(),
        RateText(view.resumed_handshakes_per_s).c_str(), view.connect_mean_ms,
        view.handshake_mean_ms);
  } else {
    text += "no handshake completed";
  }
  if (view.https_cpu_ms_per_thousand > 0) {
    text += Printf("; the server's CPU over HTTPS: %.0f CPU-ms per 1000 requests (its /metrics)",
                   view.https_cpu_ms_per_thousand);
  } else {
    text += "; the server's CPU: not measured (its /metrics gives no process_cpu_seconds_total)";
  }
  return text +
         "; without TLS, and new HTTPS visitors per core: not measured (a remote server is not "
         "restarted without TLS; run the bench with --tls on that machine).";
}

std::string FormatTlsCost(const TlsCost& cost) {
  std::string text = " TLS: ";
  if (cost.https_cpu_ms_per_thousand > 0 && cost.plain_cpu_ms_per_thousand > 0) {
    text += Printf(
        "%.0f server CPU-ms per 1000 requests over HTTPS against %.0f over plain HTTP (%+.0f%%; "
        "%s; both at %s requests/s)",
        cost.https_cpu_ms_per_thousand, cost.plain_cpu_ms_per_thousand,
        (cost.https_cpu_ms_per_thousand / cost.plain_cpu_ms_per_thousand - 1.0) * 100.0,
        cost.visitors.c_str(), RateText(cost.rate_rps).c_str());
  } else {
    text += "server CPU per request with and without TLS: not measured";
  }
  if (cost.new_visitors_per_core > 0) {
    text += "; one core serves about " + RateText(cost.new_visitors_per_core) +
            " new HTTPS visitors/s (a full handshake each).";
  } else {
    text += "; new HTTPS visitors per second on one core not measured.";
  }
  return text;
}

}  // namespace fourdollar::bench
