#include "scenario/random.h"

#include <algorithm>

namespace fourdollar::scenario {
namespace {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

__extension__ using Uint128 = unsigned __int128;  // a GCC/Clang extension, hence the marker

}  // namespace

Random::Random(uint64_t seed) {
  // splitmix64 spreads any seed (0 included) over the whole state, which xoshiro needs to be
  // non-zero.
  for (uint64_t& word : state_) word = SplitMix64(&seed);
}

Random Random::ForVu(uint64_t run_seed, int64_t vu) {
  uint64_t mixed = run_seed ^ (static_cast<uint64_t>(vu) * 0xd1342543de82ef95ULL);
  return Random(SplitMix64(&mixed));
}

uint64_t Random::Next() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

uint64_t Random::Pick(uint64_t n) {
  if (n == 0) return 0;
  // Lemire's multiply-shift; the bias (n / 2^64) is far below what a load test can notice.
  return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64);
}

int64_t Random::Uniform(int64_t min, int64_t max) {
  if (max <= min) return min;
  const uint64_t span = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
  if (span == UINT64_MAX) return static_cast<int64_t>(Next());
  return static_cast<int64_t>(static_cast<uint64_t>(min) + Pick(span + 1));
}

double Random::NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

bool Random::Chance(double p) { return NextDouble() < p; }

WeightedPicker::WeightedPicker(const std::vector<double>& weights) {
  cumulative_.reserve(weights.size());
  double total = 0;
  for (double weight : weights) {
    total += weight;
    cumulative_.push_back(total);
  }
}

size_t WeightedPicker::Pick(Random& random) const {
  if (cumulative_.size() <= 1) return 0;
  const double point = random.NextDouble() * cumulative_.back();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
  return std::min(static_cast<size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

}  // namespace fourdollar::scenario
