#include "bench/limit_search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fourdollar::bench {

namespace {

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace

LimitSettings LimitSettingsFor(bool quick) {
  LimitSettings settings;
  if (quick) {
    settings.step_ms = 3000;
    settings.max_steps = 3;
    settings.first_fraction = 0.3;
    settings.growth = 2;
  }
  return settings;
}

double EstimateIterationRate(const results::Results& results, double fallback) {
  uint64_t busiest = 0;
  for (const results::SecondRow& row : results.seconds) {
    uint64_t requests = 0;
    for (const auto& [index, figures] : row.data.names) requests += figures.requests;
    busiest = std::max(busiest, requests);
  }
  if (busiest == 0 || results.iterations == 0) return fallback;
  double per_iteration =
      static_cast<double>(results.overall.requests) / static_cast<double>(results.iterations);
  return static_cast<double>(busiest) / std::max(1.0, per_iteration);
}

double StepRate(double estimate, int index, const LimitSettings& settings) {
  return std::max(
      1.0, std::round(estimate * settings.first_fraction * std::pow(settings.growth, index)));
}

StepOutcome JudgeStep(const results::Results& results, double offered_rate,
                      const LimitSettings& settings) {
  StepOutcome step;
  step.offered_rate = offered_rate;
  // Over the step's nominal length: the run's own duration also counts the wait for the last
  // responses and for the next whole second, which would understate a short step's rate.
  step.requests_per_second = static_cast<double>(results.overall.requests) * 1000.0 /
                             static_cast<double>(std::max<int64_t>(1, settings.step_ms));
  step.p95_ms = static_cast<double>(results.overall.duration.PercentileUs(95)) / 1000.0;
  step.failed_fraction = results.overall.requests == 0
                             ? 0
                             : static_cast<double>(results.overall.failed()) /
                                   static_cast<double>(results.overall.requests);
  step.generator_saturated = results.run.generator_saturated;
  step.interrupted = results.run.interrupted;
  const double offered = offered_rate * static_cast<double>(settings.step_ms) / 1000.0;
  const double completed = static_cast<double>(results.iterations);
  if (results.overall.requests == 0) {
    step.reason = "no request completed";
  } else if (step.failed_fraction > settings.max_failed_fraction) {
    step.reason = Fixed(step.failed_fraction * 100, 1) + "% of requests failed > " +
                  Fixed(settings.max_failed_fraction * 100, 0) + "%";
  } else if (step.p95_ms > settings.p95_bound_ms) {
    step.reason =
        "p95 " + Fixed(step.p95_ms, 1) + " ms > " + Fixed(settings.p95_bound_ms, 0) + " ms";
  } else if (results.dropped_iterations > 0 &&
             static_cast<double>(results.dropped_iterations) > 0.01 * offered) {
    step.reason = std::to_string(results.dropped_iterations) +
                  " iterations dropped (every virtual user busy)";
  } else if (!step.interrupted && completed < settings.min_completed_fraction * offered) {
    step.reason = "only " + Fixed(100 * completed / std::max(1.0, offered), 0) +
                  "% of the offered iterations completed";
  }
  step.passed = step.reason.empty() && !step.interrupted;
  return step;
}

bool ContinueAfter(const StepOutcome& step) {
  return step.passed && !step.generator_saturated && !step.interrupted;
}

StepRates::StepRates(double estimate, const LimitSettings& settings)
    : settings_(settings), current_(StepRate(estimate, 0, settings)) {}

bool StepRates::Advance(const StepOutcome& step) {
  ++steps_;
  if (steps_ >= settings_.max_steps || step.interrupted || step.generator_saturated) return false;
  if (step.passed) {
    held_ = true;
    current_ = std::max(current_ + 1, std::round(current_ * settings_.growth));
    return true;
  }
  if (held_ || halvings_ >= kMaxHalvings || current_ < 2) return false;
  ++halvings_;
  current_ = std::round(current_ / 2);
  return true;
}

KneeEstimate EstimateKnee(const std::vector<StepOutcome>& steps) {
  KneeEstimate knee;
  const StepOutcome* held = nullptr;  // the fastest step that held
  const StepOutcome* slowest_broke = nullptr;
  for (const StepOutcome& step : steps) {
    if (step.passed && (held == nullptr || step.offered_rate > held->offered_rate)) held = &step;
    if (!step.passed && !step.interrupted &&
        (slowest_broke == nullptr || step.offered_rate < slowest_broke->offered_rate)) {
      slowest_broke = &step;
    }
  }
  // The first step faster than the fastest that held and that broke.
  const StepOutcome* broke = nullptr;
  for (const StepOutcome& step : steps) {
    if (held != nullptr && !step.passed && !step.interrupted &&
        step.offered_rate > held->offered_rate &&
        (broke == nullptr || step.offered_rate < broke->offered_rate)) {
      broke = &step;
    }
  }
  if (held != nullptr) {
    knee.requests_per_second = held->requests_per_second;
    knee.p95_ms = held->p95_ms;
    knee.found = broke != nullptr;
  } else if (slowest_broke != nullptr) {
    knee.below_first = true;
    knee.requests_per_second = slowest_broke->requests_per_second;
    knee.p95_ms = slowest_broke->p95_ms;
    knee.reason = slowest_broke->reason;
    return knee;
  }
  if (broke != nullptr) {
    knee.reason = broke->reason;
  } else if (steps.empty()) {
    knee.reason = "no step ran";
  } else if (steps.back().interrupted) {
    knee.reason = "interrupted";
  } else if (steps.back().generator_saturated) {
    knee.reason = "the load generator saturated its CPUs first";
  } else {
    knee.reason = "every step held";
  }
  return knee;
}

}  // namespace fourdollar::bench
