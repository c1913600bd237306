// The search for the breaking point: constant arrival rates in short steps, each faster than
// the last, until a step breaks a bound (p95, failures, dropped or unfinished iterations) or
// the generator itself saturates. Pure functions over results::Results; the bench runs the steps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "results/results.h"

namespace fourdollar::bench {

struct LimitSettings {
  double p95_bound_ms = 100;            // a step whose p95 is above this breaks
  double max_failed_fraction = 0.01;    // of requests
  double min_completed_fraction = 0.9;  // of the iterations offered
  int64_t step_ms = 5000;
  int max_steps = 14;
  // The first rate, as a fraction of the estimated capacity. The estimate comes from a closed
  // model, whose busiest second is well above what an open arrival rate sustains, so the
  // search starts low.
  double first_fraction = 0.25;
  double growth = 1.2;  // each step's rate over the previous one's
};

// Full: 5 s steps from a quarter of the estimate, x1.2 each, at most 14 (up to 2.7 times the
// estimate). Quick: 3 steps of 3 s at 0.3, 0.6 and 1.2 times the estimate.
LimitSettings LimitSettingsFor(bool quick);

// Iterations per second the server managed in a closed-model run (the seed scenario): its
// busiest second's requests over the requests per iteration. `fallback` when it has none.
double EstimateIterationRate(const results::Results& results, double fallback);

// The iteration rate of step `index` (0-based) when every step holds.
double StepRate(double estimate, int index, const LimitSettings& settings);

struct StepOutcome {
  double offered_rate = 0;         // iterations per second asked
  double requests_per_second = 0;  // achieved: requests over the step's nominal length
  double p95_ms = 0;
  double failed_fraction = 0;
  bool passed = false;
  bool generator_saturated = false;
  bool interrupted = false;
  std::string reason;  // why it broke: "p95 312.4 ms > 100 ms"; empty when passed
};

StepOutcome JudgeStep(const results::Results& results, double offered_rate,
                      const LimitSettings& settings);

// Whether the search may go on after this step (it held, and the generator kept up).
bool ContinueAfter(const StepOutcome& step);

// The rates of the search, step by step: up by `growth` after a step that held; halved after
// one that broke while none has held yet (the estimate was too high: a busy machine, a closed
// model's optimism), at most kMaxHalvings times; over after a break once a step has held, after
// an interruption or a saturated generator, or after settings.max_steps steps.
class StepRates {
 public:
  static constexpr int kMaxHalvings = 3;
  StepRates(double estimate, const LimitSettings& settings);
  double current() const { return current_; }
  int steps() const { return steps_; }
  // Takes the outcome of the step run at current(); false when the search is over.
  bool Advance(const StepOutcome& step);

 private:
  LimitSettings settings_;
  double current_;
  int steps_ = 0;
  int halvings_ = 0;
  bool held_ = false;
};

struct KneeEstimate {
  bool found = false;              // a step passed and a later one broke
  bool below_first = false;        // the first step already broke
  double requests_per_second = 0;  // of the last step that held (or the slowest that broke)
  double p95_ms = 0;
  std::string reason;  // of the step that broke, or why the search ended without one
};

KneeEstimate EstimateKnee(const std::vector<StepOutcome>& steps);

}  // namespace fourdollar::bench
