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
    settings.max_steps = 6;
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
  return static_cast<double>(busiest) / std::max(1.0, RequestsPerIteration(results));
}

double RequestsPerIteration(const results::Results& results) {
  if (results.iterations == 0) return 1;
  return static_cast<double>(results.overall.requests) / static_cast<double>(results.iterations);
}

double StepRate(double estimate, int index, const LimitSettings& settings) {
  return std::max(
      1.0, std::round(estimate * settings.first_fraction * std::pow(settings.growth, index)));
}

StepFigures JudgeStep(const results::Results& results, double offered_rate,
                      double requests_per_iteration, const LimitSettings& settings) {
  StepFigures step = report::SteadyFigures(results, offered_rate, requests_per_iteration,
                                           settings.step_ms, settings.skip_seconds);
  const double offered = offered_rate * step.steady_seconds;
  const double completed = static_cast<double>(step.iterations);
  if (step.requests == 0) {
    step.reason = "no request completed";
  } else if (step.FailedFraction() > settings.max_failed_fraction) {
    step.reason = Fixed(step.FailedFraction() * 100, 1) + "% failures";
  } else if (step.p95_ms > settings.p95_bound_ms) {
    step.reason = "p95 " + Fixed(step.p95_ms, 1) + " ms";
  } else if (static_cast<double>(step.dropped_iterations) >
             settings.max_dropped_fraction * offered) {
    step.reason = std::to_string(step.dropped_iterations) + " dropped iterations";
  } else if (!step.interrupted && completed < settings.min_completed_fraction * offered) {
    step.reason = "only " + Fixed(100 * completed / std::max(1.0, offered), 0) +
                  "% of the offered iterations completed";
  }
  step.held = step.reason.empty() && !step.interrupted;
  return step;
}

namespace {

double BusyAndWaiting(double busy, double waiting) {
  return std::max(0.0, busy) + std::max(0.0, waiting);
}

}  // namespace

double ServerCpuPressure(const StepFigures& step, int cpus) {
  if (step.server_cpu_percent < 0) return -1;
  return BusyAndWaiting(step.server_cpu_percent, step.server_wait_percent) / std::max(1, cpus);
}

double GeneratorCpuPressure(const StepFigures& step) {
  if (step.generator_cpu_percent < 0) return -1;
  return BusyAndWaiting(step.generator_cpu_percent, step.generator_wait_percent);
}

bool GeneratorSaturated(const StepFigures& step) {
  return step.generator_saturated || GeneratorCpuPressure(step) >= kFullCpuPercent;
}

StepRates::StepRates(double estimate, const LimitSettings& settings)
    : settings_(settings), current_(StepRate(estimate, 0, settings)) {}

bool StepRates::Advance(const StepFigures& step) {
  ++steps_;
  if (step.interrupted) return false;
  if (step.held) {
    held_ = std::max(held_.value_or(0), current_);
    if (broke_ && *broke_ <= *held_) broke_.reset();
  } else if (!held_ || current_ > *held_) {
    broke_ = std::min(broke_.value_or(current_), current_);
  }
  if (steps_ >= settings_.max_steps) return false;
  // A saturated generator cannot offer more than a step that held; a step that broke with it
  // saturated still leaves the rates below it to refine, where the generator has more room.
  if (step.generator_saturated && step.held) return false;
  if (!held_) {
    if (halvings_ >= kMaxHalvings || current_ < 2) return false;
    ++halvings_;
    current_ = std::round(current_ / 2);
    return true;
  }
  if (!broke_) {
    current_ = std::max(current_ + 1, std::round(current_ * settings_.growth));
    return true;
  }
  if (*broke_ <= *held_ * (1 + settings_.precision)) return false;
  const double middle = std::round((*held_ + *broke_) / 2);
  if (middle <= *held_ || middle >= *broke_) return false;
  current_ = middle;
  return true;
}

}  // namespace fourdollar::bench
