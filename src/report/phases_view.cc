#include "report/phases_view.h"

#include "report/rate_curve.h"

namespace fourdollar::report {

namespace json = boost::json;

namespace {

// Indexes of k6's phases in NameSecond::phases (RequestPhases' order).
constexpr size_t kConnecting = 1;
constexpr size_t kTlsHandshaking = 2;

double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

HistogramOf Phase(size_t phase) {
  return [phase](const results::NameSecond& figures) -> const results::LatencyHistogram& {
    return figures.phases[phase];
  };
}

}  // namespace

json::value PhasesView(const results::Results& results) {
  const results::NameSecond& overall = results.overall;
  const bool tls = overall.tls_full_handshakes + overall.tls_resumed_handshakes > 0;
  if (!tls && overall.phases[kConnecting].max_us() == 0) return nullptr;
  json::array t, connect_p95, connect_p99, tls_p95, tls_p99, full, resumed;
  for (const results::SecondRow& row : results.seconds) {
    results::NameSecond all;
    for (const auto& [index, figures] : row.data.names) all.Merge(figures);
    t.emplace_back(row.second);
    full.emplace_back(all.tls_full_handshakes);
    resumed.emplace_back(all.tls_resumed_handshakes);
    for (auto [series, phase, p] : {std::tuple{&connect_p95, kConnecting, 95.0},
                                    {&connect_p99, kConnecting, 99.0},
                                    {&tls_p95, kTlsHandshaking, 95.0},
                                    {&tls_p99, kTlsHandshaking, 99.0}}) {
      series->push_back(all.requests == 0 ? json::value(nullptr)
                                          : json::value(Ms(all.phases[phase].PercentileUs(p))));
    }
  }
  return json::object{{"t", std::move(t)},
                      {"connect_p95", std::move(connect_p95)},
                      {"connect_p99", std::move(connect_p99)},
                      {"tls_p95", std::move(tls_p95)},
                      {"tls_p99", std::move(tls_p99)},
                      {"full", std::move(full)},
                      {"resumed", std::move(resumed)},
                      {"full_total", overall.tls_full_handshakes},
                      {"resumed_total", overall.tls_resumed_handshakes},
                      {"rate_connect", RateCurve(results, Phase(kConnecting))},
                      {"rate_tls", RateCurve(results, Phase(kTlsHandshaking))}};
}

}  // namespace fourdollar::report
