#include "results/thresholds_eval.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace fourdollar::results {
namespace {

using Aggregate = Threshold::Aggregate;

bool Compare(double observed, Threshold::Op op, double value) {
  switch (op) {
    case Threshold::Op::kLess:
      return observed < value;
    case Threshold::Op::kLessEqual:
      return observed <= value;
    case Threshold::Op::kGreater:
      return observed > value;
    case Threshold::Op::kGreaterEqual:
      return observed >= value;
    case Threshold::Op::kEqual:
      return observed == value;
    case Threshold::Op::kNotEqual:
      return observed != value;
  }
  return false;
}

// The phase index of a phase metric's name, or kPhases.
size_t PhaseOf(const std::string& metric) {
  for (size_t i = 0; i < kPhases; ++i) {
    if (metric == PhaseMetricName(i)) return i;
  }
  return kPhases;
}

bool IsHttpMetric(const std::string& metric) {
  return metric == "http_req_duration" || metric == "http_req_failed" || metric == "http_reqs" ||
         PhaseOf(metric) < kPhases;
}

// The figures a threshold looks at: every request, or those of its name (nullptr when no
// request has that name).
const NameSecond* Requests(const Threshold& threshold, const Results& results) {
  if (threshold.name_filter.empty()) return &results.overall;
  const auto& names = results.run.names;
  auto it = std::find(names.begin(), names.end(), threshold.name_filter);
  if (it == names.end()) return nullptr;
  auto figures = results.names.find(static_cast<uint32_t>(it - names.begin()));
  return figures == results.names.end() ? nullptr : &figures->second;
}

ThresholdOutcome Evaluate(const Threshold& threshold, const Results& results) {
  ThresholdOutcome outcome{.threshold = threshold};
  auto not_evaluated = [&](std::string why) {
    outcome.detail = std::move(why);
    return outcome;
  };
  const std::string& metric = threshold.metric;
  const Aggregate aggregate = threshold.aggregate;
  auto does_not_apply = [&] {
    return not_evaluated(AggregateText(threshold) + " does not apply to " + metric);
  };
  if (!threshold.name_filter.empty() && !IsHttpMetric(metric)) {
    return not_evaluated(metric + " has no figures per request name");
  }

  double observed = 0;
  if (IsHttpMetric(metric)) {
    const NameSecond* requests = Requests(threshold, results);
    const uint64_t count = requests ? requests->requests : 0;
    if (metric == "http_reqs" &&
        (aggregate == Aggregate::kCount || aggregate == Aggregate::kRate)) {
      observed = aggregate == Aggregate::kCount ? static_cast<double>(count)
                                                : results.RatePerSecond(count);
    } else if (count == 0) {
      return not_evaluated(threshold.name_filter.empty()
                               ? "no requests"
                               : "no requests named '" + threshold.name_filter + "'");
    } else if (metric == "http_req_failed") {
      if (aggregate != Aggregate::kRate) return does_not_apply();
      observed = static_cast<double>(requests->failed()) / static_cast<double>(count);
    } else if (metric == "http_req_duration" || PhaseOf(metric) < kPhases) {
      const LatencyHistogram& h =
          PhaseOf(metric) < kPhases ? requests->phases[PhaseOf(metric)] : requests->duration;
      switch (aggregate) {
        case Aggregate::kPercentile:
          observed = static_cast<double>(h.PercentileUs(threshold.percentile)) / 1000.0;
          break;
        case Aggregate::kMed:
          observed = static_cast<double>(h.PercentileUs(50)) / 1000.0;
          break;
        case Aggregate::kAvg:
          observed = h.mean_us() / 1000.0;
          break;
        case Aggregate::kMin:
          observed = static_cast<double>(h.min_us()) / 1000.0;
          break;
        case Aggregate::kMax:
          observed = static_cast<double>(h.max_us()) / 1000.0;
          break;
        default:
          return does_not_apply();
      }
    } else {
      return does_not_apply();
    }
  } else if (metric == "checks") {
    if (aggregate != Aggregate::kRate) return does_not_apply();
    const uint64_t checks = results.checks_passed + results.checks_failed;
    if (checks == 0) return not_evaluated("no checks ran");
    observed = static_cast<double>(results.checks_passed) / static_cast<double>(checks);
  } else if (metric == "iterations") {
    if (aggregate == Aggregate::kCount) {
      observed = static_cast<double>(results.iterations);
    } else if (aggregate == Aggregate::kRate) {
      observed = results.RatePerSecond(results.iterations);
    } else {
      return does_not_apply();
    }
  } else if (metric == "dropped_iterations") {
    if (aggregate != Aggregate::kCount) return does_not_apply();
    observed = static_cast<double>(results.dropped_iterations);
  } else {
    return not_evaluated("unknown metric " + metric);
  }
  outcome.evaluated = true;
  outcome.observed = observed;
  outcome.passed = Compare(observed, threshold.op, threshold.value);
  return outcome;
}

}  // namespace

std::string AggregateText(const Threshold& threshold) {
  switch (threshold.aggregate) {
    case Aggregate::kPercentile: {
      char buffer[32];
      auto end = std::to_chars(buffer, buffer + sizeof buffer, threshold.percentile).ptr;
      return "p(" + std::string(buffer, end) + ")";
    }
    case Aggregate::kAvg:
      return "avg";
    case Aggregate::kMin:
      return "min";
    case Aggregate::kMax:
      return "max";
    case Aggregate::kMed:
      return "med";
    case Aggregate::kRate:
      return "rate";
    case Aggregate::kCount:
      return "count";
  }
  return "unknown";
}

const char* OpText(Threshold::Op op) {
  switch (op) {
    case Threshold::Op::kLess:
      return "<";
    case Threshold::Op::kLessEqual:
      return "<=";
    case Threshold::Op::kGreater:
      return ">";
    case Threshold::Op::kGreaterEqual:
      return ">=";
    case Threshold::Op::kEqual:
      return "==";
    case Threshold::Op::kNotEqual:
      return "!=";
  }
  return "?";
}

std::vector<ThresholdOutcome> EvaluateThresholds(const std::vector<Threshold>& thresholds,
                                                 const Results& results) {
  std::vector<ThresholdOutcome> outcomes;
  outcomes.reserve(thresholds.size());
  for (const Threshold& threshold : thresholds) outcomes.push_back(Evaluate(threshold, results));
  return outcomes;
}

}  // namespace fourdollar::results
