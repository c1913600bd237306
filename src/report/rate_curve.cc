#include "report/rate_curve.h"

#include <algorithm>
#include <vector>

#include "report/knee.h"

namespace fourdollar::report {

namespace json = boost::json;

namespace {

constexpr int kRateBins = 30;

double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

}  // namespace

json::object RateCurve(const results::Results& results, const HistogramOf& histogram) {
  struct Second {
    uint64_t requests;
    results::LatencyHistogram latency;
  };
  std::vector<Second> seconds;
  for (const results::SecondRow& row : results.seconds) {
    results::NameSecond all;
    for (const auto& [index, figures] : row.data.names) all.Merge(figures);
    if (all.requests >= kMinRequestsPerSecond) seconds.push_back({all.requests, histogram(all)});
  }
  json::array rate, p50, p95, p99, count;
  if (!seconds.empty()) {
    auto [low, high] = std::minmax_element(
        seconds.begin(), seconds.end(),
        [](const Second& a, const Second& b) { return a.requests < b.requests; });
    const double min_rate = static_cast<double>(low->requests);
    const double width =
        std::max(1.0, (static_cast<double>(high->requests) - min_rate) / kRateBins);
    std::vector<Second> bins(kRateBins + 1, Second{0, {}});
    std::vector<uint64_t> members(kRateBins + 1, 0);
    for (const Second& s : seconds) {
      const size_t bin = std::min<size_t>(
          kRateBins, static_cast<size_t>((static_cast<double>(s.requests) - min_rate) / width));
      bins[bin].requests += s.requests;
      bins[bin].latency.Merge(s.latency);
      ++members[bin];
    }
    for (size_t i = 0; i < bins.size(); ++i) {
      if (members[i] == 0) continue;
      rate.emplace_back(static_cast<double>(bins[i].requests) / static_cast<double>(members[i]));
      p50.emplace_back(Ms(bins[i].latency.PercentileUs(50)));
      p95.emplace_back(Ms(bins[i].latency.PercentileUs(95)));
      p99.emplace_back(Ms(bins[i].latency.PercentileUs(99)));
      count.emplace_back(members[i]);
    }
  }
  return json::object{{"rate", std::move(rate)},
                      {"p50", std::move(p50)},
                      {"p95", std::move(p95)},
                      {"p99", std::move(p99)},
                      {"seconds", std::move(count)}};
}

}  // namespace fourdollar::report
