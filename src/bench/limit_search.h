// The search for the breaking point, a sweep of steady steps: constant arrival rates, each
// step judged on its steady part (report/sweep.h), rising until a step breaks a bound (p95,
// failures, dropped or unfinished iterations) or the generator itself saturates, then
// bisecting between the fastest step that held and the slowest that broke until the two are
// within `precision` of each other. Pure functions; the bench runs the steps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/sweep.h"
#include "results/results.h"

namespace fourdollar::bench {

using report::StepFigures;

struct LimitSettings {
  double p95_bound_ms = 100;            // a step whose p95 is above this breaks
  double max_failed_fraction = 0.01;    // of requests
  double max_dropped_fraction = 0.01;   // of the iterations offered
  double min_completed_fraction = 0.9;  // of the iterations offered
  int64_t step_ms = 5000;
  int skip_seconds = 1;  // a step's first seconds ramp up and are not judged
  int max_steps = 18;
  // The first rate, as a fraction of the estimated capacity. The estimate comes from a closed
  // model, whose busiest second is well above what an open arrival rate sustains, so the
  // search starts low.
  double first_fraction = 0.25;
  double growth = 1.2;      // each step's rate over the previous one's, until one breaks
  double precision = 0.05;  // bisection ends when broke / held <= 1 + precision
};

// Full: 5 s steps (4 steady seconds) from a quarter of the estimate, x1.2 each, then bisection;
// at most 18 steps. Quick: 3 s steps (2 steady seconds) at 0.3, 0.6, 1.2... times the
// estimate, at most 6 steps.
LimitSettings LimitSettingsFor(bool quick);

// Iterations per second the server managed in a closed-model run (the seed scenario): its
// busiest second's requests over the requests per iteration. `fallback` when it has none.
double EstimateIterationRate(const results::Results& results, double fallback);

// Requests per completed iteration of a run; 1 when it completed none.
double RequestsPerIteration(const results::Results& results);

// The iteration rate of step `index` (0-based) when every step holds.
double StepRate(double estimate, int index, const LimitSettings& settings);

// The step's steady figures with `held` and `reason` set.
StepFigures JudgeStep(const results::Results& results, double offered_rate,
                      double requests_per_iteration, const LimitSettings& settings);

// The demand on a side's CPUs during a step: busy plus waiting for a CPU taken by other work,
// in percent of what the side may use (the server: `cpus` CPUs, 0 taken as 1; the generator:
// its threads); -1 when not measured.
double ServerCpuPressure(const StepFigures& step, int cpus);
double GeneratorCpuPressure(const StepFigures& step);

// At this pressure a side's CPUs are full (saturated): the share at which `load` calls its own
// generator saturated.
inline constexpr double kFullCpuPercent = results::kGeneratorSaturatedPercent;
// Below this pressure on both sides, CPU did not limit a step.
inline constexpr double kShortOfCpuPercent = 30;

// Whether the generator was saturated during a step: by its own measure (results) or by its
// CPU pressure.
bool GeneratorSaturated(const StepFigures& step);

// The rates of the sweep, step by step: up by `growth` after a step that held while none has
// broken; halved after one that broke while none has held yet (the estimate was too high),
// at most kMaxHalvings times; once one held and one faster broke, the midpoint of the two,
// until they are within settings.precision. Over after an interruption, a step that held with
// the generator saturated, or settings.max_steps steps.
class StepRates {
 public:
  static constexpr int kMaxHalvings = 3;
  StepRates(double estimate, const LimitSettings& settings);
  double current() const { return current_; }
  int steps() const { return steps_; }
  bool bisecting() const { return broke_.has_value() && held_.has_value(); }
  // Takes the outcome of the step run at current(); false when the search is over.
  bool Advance(const StepFigures& step);

 private:
  LimitSettings settings_;
  double current_;
  int steps_ = 0;
  int halvings_ = 0;
  std::optional<double> held_;   // the fastest rate that held
  std::optional<double> broke_;  // the slowest rate above held_ that broke
};

}  // namespace fourdollar::bench
