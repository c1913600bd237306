// When virtual users run and when iterations arrive: pure functions of the scenario's execution
// and of this process's share of it (its segment, k6's execution segments), so that segments
// i/n for i = 1..n together make exactly the load of the whole.
#pragma once

#include <cstdint>
#include <vector>

#include "scenario/scenario.h"

namespace fourdollar::load {

struct Segment {
  int index = 1;  // 1-based
  int count = 1;
};

// The VU target (closed model) or the arrival rate per second (open model) at `elapsed_ms`,
// ramped linearly between stages. 0 after the end.
double TargetAt(const scenario::Execution& execution, int64_t elapsed_ms);

// The closed model's VU target as a whole number at `elapsed_us` (TargetAt's, rounded down),
// and the first microsecond after `elapsed_us` at which that number changes or a stage ends:
// a ramp starts each VU at its own moment, as k6 does, not in steps. `next_us` is -1 after
// the end.
struct VuStep {
  int64_t vus = 0;
  int64_t next_us = -1;
};
VuStep VusAt(const scenario::Execution& execution, int64_t elapsed_us);

// Global VUs are numbered 0, 1, 2...; VU g belongs to segment (g % count) + 1. How many of the
// first `total` global VUs belong to `segment`.
int64_t VusInSegment(int64_t total, Segment segment);
// The global number of this segment's `local`-th VU.
int64_t GlobalVu(int64_t local, Segment segment);

// The scenario of global VU (or global arrival) number `n`: a fixed interleaving in which every
// prefix is split as close to the weights as possible (10/90 over 50 VUs gives 5 and 45).
// Weights that are not whole numbers summing to at most 100000 are rounded to a 10000 scale.
class ScenarioPicker {
 public:
  explicit ScenarioPicker(const std::vector<double>& weights);
  size_t For(int64_t n) const {
    return cycle_[static_cast<size_t>(n % static_cast<int64_t>(cycle_.size()))];
  }

 private:
  std::vector<uint32_t> cycle_;  // one period of the interleaving
};

// When global arrival number `m` (0-based) is due, in microseconds from the start, for the open
// model; -1 when it falls after the end.
int64_t ArrivalTimeUs(const scenario::Execution& execution, int64_t m);

}  // namespace fourdollar::load
