// A threshold as a scenario states it and the results judge and record it.
#pragma once

#include <string>

namespace fourdollar::results {

// One threshold expression, such as "p(95)<50" on http_req_duration, optionally for one name.
struct Threshold {
  std::string metric;       // "http_req_duration", "http_req_failed", "checks", "iterations"...
  std::string name_filter;  // "" for all requests; else only requests with this name
  std::string source;       // as written: "p(95)<50"
  enum class Aggregate { kPercentile, kAvg, kMin, kMax, kMed, kRate, kCount };
  Aggregate aggregate = Aggregate::kPercentile;
  double percentile = 0;  // with kPercentile: 95 for p(95)
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
  Op op = Op::kLess;
  double value = 0;  // milliseconds for durations, a fraction for rates
};

}  // namespace fourdollar::results
