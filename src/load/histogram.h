// A latency histogram that merges exactly: log-linear buckets with three significant digits
// from 1 microsecond to 60 seconds (larger values land in the last bucket). Written by hand:
// no HdrHistogram for C++ is packaged in Debian. Sparse, so one per second and name is cheap.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::load {

class LatencyHistogram {
 public:
  void Record(int64_t micros, uint64_t count = 1);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  int64_t min_us() const { return count_ ? min_us_ : 0; }
  int64_t max_us() const { return count_ ? max_us_ : 0; }
  double mean_us() const { return count_ ? static_cast<double>(sum_us_) / static_cast<double>(count_) : 0; }
  // The value at percentile p (0..100), within the bucket precision (0.1%); 0 when empty.
  int64_t PercentileUs(double p) const;

  // "bucket:count bucket:count ..." with the sum, min and max; ParseText reads it back exactly.
  std::string ToText() const;
  static Result<LatencyHistogram> ParseText(std::string_view text);

  // Bucket index of a value and the value a bucket stands for (its upper bound), for tests.
  static uint32_t BucketOf(int64_t micros);
  static int64_t BucketValueUs(uint32_t bucket);

 private:
  std::map<uint32_t, uint64_t> buckets_;
  uint64_t count_ = 0;
  int64_t sum_us_ = 0;
  int64_t min_us_ = 0;
  int64_t max_us_ = 0;
};

}  // namespace fourdollar::load
