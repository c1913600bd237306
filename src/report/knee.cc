#include "report/knee.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fourdollar::report {
namespace {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::string Format(const char* format, double a, double b = 0, double c = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, a, b, c);
  return buf;
}

}  // namespace

std::vector<SecondPoint> SecondPoints(const results::Results& results) {
  // The drain: the seconds after the last one with load applied (VUs running or an arrival
  // rate offered), when the run says so. Few requests complete in them, late ones: they would
  // pass for low-load seconds with high latency.
  size_t end = results.seconds.size();
  const auto loaded = [](const results::SecondRow& row) {
    return row.data.active_vus > 0 || row.data.offered_rate > 0;
  };
  if (std::any_of(results.seconds.begin(), results.seconds.end(), loaded)) {
    while (end > 0 && !loaded(results.seconds[end - 1])) --end;
  }
  std::vector<SecondPoint> points;
  points.reserve(end);
  for (size_t i = 0; i < end; ++i) {
    const results::SecondRow& row = results.seconds[i];
    results::NameSecond all;
    for (const auto& [index, figures] : row.data.names) all.Merge(figures);
    points.push_back(SecondPoint{
        .second = row.second,
        .requests = all.requests,
        .failed = all.failed(),
        .p95_ms = static_cast<double>(all.duration.PercentileUs(95)) / 1000.0,
    });
  }
  return points;
}

Knee FindKnee(const std::vector<SecondPoint>& points) {
  Knee knee;
  std::vector<SecondPoint> judged;
  for (const SecondPoint& point : points) {
    if (point.requests >= kMinRequestsPerSecond) judged.push_back(point);
  }
  if (judged.size() < static_cast<size_t>(kOverloadedSecondsInARow)) {
    double peak = 0;
    for (const SecondPoint& point : points) {
      peak = std::max(peak, static_cast<double>(point.requests));
    }
    knee.requests_per_second = peak;
    knee.reason =
        Format("too few seconds with at least %.0f requests to judge (%.0f)",
               static_cast<double>(kMinRequestsPerSecond), static_cast<double>(judged.size()));
    return knee;
  }

  // The low-load level: the median p95 of the seconds whose rate lies in the lowest third of
  // the range of achieved rates. A third of the range rather than of the seconds: in a long
  // run most seconds may sit at the capacity, overloaded, and must not set the level.
  auto [lowest, highest] = std::minmax_element(
      judged.begin(), judged.end(),
      [](const SecondPoint& a, const SecondPoint& b) { return a.requests < b.requests; });
  const double low_rate_limit = static_cast<double>(lowest->requests) +
                                static_cast<double>(highest->requests - lowest->requests) / 3.0;
  std::vector<double> low_p95;
  for (const SecondPoint& point : judged) {
    if (static_cast<double>(point.requests) <= low_rate_limit) low_p95.push_back(point.p95_ms);
  }
  knee.low_load_p95_ms = Median(std::move(low_p95));
  knee.limit_p95_ms =
      std::max(kLatencyFactor * knee.low_load_p95_ms, knee.low_load_p95_ms + kLatencyMarginMs);

  auto slow = [&](const SecondPoint& p) { return p.p95_ms > knee.limit_p95_ms; };
  auto failing = [](const SecondPoint& p) {
    return static_cast<double>(p.failed) > kFailureRatio * static_cast<double>(p.requests);
  };
  auto overloaded = [&](const SecondPoint& p) { return slow(p) || failing(p); };

  size_t start = judged.size();
  const size_t run = static_cast<size_t>(kOverloadedSecondsInARow);
  for (size_t i = 0; i + run <= judged.size(); ++i) {
    if (std::all_of(judged.begin() + static_cast<std::ptrdiff_t>(i),
                    judged.begin() + static_cast<std::ptrdiff_t>(i + run), overloaded)) {
      start = i;
      break;
    }
  }

  double best_rate = 0;
  double best_p95 = 0;
  bool any_good = false;
  for (size_t i = 0; i < start; ++i) {
    if (overloaded(judged[i])) continue;
    any_good = true;
    best_rate = std::max(best_rate, static_cast<double>(judged[i].requests));
    best_p95 = std::max(best_p95, judged[i].p95_ms);
  }
  knee.requests_per_second = best_rate;
  knee.p95_ms = best_p95;

  if (start == judged.size()) {
    knee.reason = Format(
        "no knee: p95 never stayed above %.3g ms (twice the low-load level of %.3g ms, at "
        "least 1 ms more) nor failures above 1%% for 3 seconds in a row",
        knee.limit_p95_ms, knee.low_load_p95_ms);
    return knee;
  }

  std::vector<double> beyond;
  for (size_t i = start; i < judged.size(); ++i) {
    if (overloaded(judged[i])) beyond.push_back(judged[i].p95_ms);
  }
  knee.beyond_p95_ms = Median(std::move(beyond));
  knee.knee_second = judged[start].second;
  const bool by_latency =
      std::all_of(judged.begin() + static_cast<std::ptrdiff_t>(start),
                  judged.begin() + static_cast<std::ptrdiff_t>(start + run), slow);
  const std::string why =
      by_latency ? Format(
                       "p95 above %.3g ms (twice the low-load level of %.3g ms, at least 1 ms "
                       "more) for 3 seconds in a row",
                       knee.limit_p95_ms, knee.low_load_p95_ms)
                 : Format("p95 above %.3g ms or failures above 1%% for 3 seconds in a row",
                          knee.limit_p95_ms);
  if (!any_good) {
    knee.reason = "overloaded from the first second judged: " + why;
    return knee;
  }
  knee.found = true;
  knee.reason = why + Format(" from second %.0f", static_cast<double>(knee.knee_second));
  return knee;
}

}  // namespace fourdollar::report
