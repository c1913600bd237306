// A latency histogram that merges exactly: log-linear buckets with three significant digits
// from 1 microsecond to 60 seconds (larger values land in the last bucket). Written by hand:
// no HdrHistogram for C++ is packaged in Debian. Sparse, so one per second and name is cheap.
//
// Buckets: every value below 1024 us has its own bucket (exact). From 1024 us on, each power
// of two [2^k, 2^(k+1)) is cut into 1024 equal buckets, so a bucket is at most 1/1024 of its
// values wide (relative error below 0.1%). Values are clamped to [0, kMaxUs] when recorded;
// min, max and sum are of the clamped values.
//
// Not thread-safe; a value type (copyable), so one per thread and merged afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace fourdollar::results {

class LatencyHistogram {
 public:
  static constexpr int64_t kMaxUs = 60'000'000;  // 60 s; larger values are recorded as this

  // Cheap: a binary search in a small sorted vector, an insertion only for a new bucket.
  void Record(int64_t micros, uint64_t count = 1);
  // Exact: the result is the histogram of both sets of recorded values.
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  int64_t min_us() const { return count_ ? min_us_ : 0; }
  int64_t max_us() const { return count_ ? max_us_ : 0; }
  int64_t sum_us() const { return sum_us_; }
  double mean_us() const {
    return count_ ? static_cast<double>(sum_us_) / static_cast<double>(count_) : 0;
  }
  // Nearest rank on bucket upper bounds: with n values, rank r = max(1, ceil(p / 100 * n));
  // the answer is the upper bound of the bucket holding the r-th smallest value, capped to
  // [min_us, max_us]. So it is never below the exact nearest-rank value and at most 1/1024
  // above it (exact below 1024 us). p is clamped to [0, 100]; 0 when empty.
  int64_t PercentileUs(double p) const;

  // "n=<count> sum_us=<sum> min_us=<min> max_us=<max>" then " <bucket value_us>:<count>" per
  // non-empty bucket, ascending. ParseText reads it back exactly and refuses anything else
  // (unknown keys, values that are not bucket bounds, counts that do not add up...).
  std::string ToText() const;
  static Result<LatencyHistogram> ParseText(std::string_view text);

  // Bucket index of a value and the value a bucket stands for (its upper bound), for tests.
  static uint32_t BucketOf(int64_t micros);
  static int64_t BucketValueUs(uint32_t bucket);

  // Non-empty buckets as (bucket index, count), ascending by index.
  const std::vector<std::pair<uint32_t, uint64_t>>& buckets() const { return buckets_; }

  bool operator==(const LatencyHistogram& other) const = default;

 private:
  std::vector<std::pair<uint32_t, uint64_t>> buckets_;
  uint64_t count_ = 0;
  int64_t sum_us_ = 0;
  int64_t min_us_ = 0;
  int64_t max_us_ = 0;
};

}  // namespace fourdollar::results
