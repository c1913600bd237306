// A small, fast pseudo-random generator (xoshiro256**, seeded through splitmix64) for the load
// generator: one per virtual user, so runs with the same seed draw the same values. Not for
// anything secret.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fourdollar::scenario {

// Not thread-safe: each virtual user (or thread) owns its own.
class Random {
 public:
  explicit Random(uint64_t seed);
  // A generator for virtual user `vu` of a run seeded with `run_seed`: distinct, reproducible
  // streams per VU.
  static Random ForVu(uint64_t run_seed, int64_t vu);

  uint64_t Next();
  // Uniform in [min, max], both inclusive; returns min when max <= min.
  int64_t Uniform(int64_t min, int64_t max);
  // Uniform in [0, n); 0 when n == 0.
  uint64_t Pick(uint64_t n);
  // Uniform in [0, 1).
  double NextDouble();
  // True with probability p (p <= 0: never, p >= 1: always).
  bool Chance(double p);

 private:
  uint64_t state_[4];
};

// Picks an index with probability proportional to its weight (such as scenario weights).
// Immutable after construction, so one may be shared by threads, each with its own Random.
class WeightedPicker {
 public:
  // Precondition: weights is not empty and every weight is > 0.
  explicit WeightedPicker(const std::vector<double>& weights);
  size_t Pick(Random& random) const;
  size_t size() const { return cumulative_.size(); }

 private:
  std::vector<double> cumulative_;  // running sums; the last is the total
};

}  // namespace fourdollar::scenario
