// The capacity knee: the highest achieved request rate before latency leaves its low-load
// level (docs/report.md defines it; this is the definition in code). Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "results/results.h"

namespace fourdollar::report {

struct Knee {
  bool found = false;
  double requests_per_second = 0;  // the capacity: highest achieved rate before the knee
  double p95_ms = 0;               // the highest per-second p95 up to that rate
  double beyond_p95_ms = 0;        // the median per-second p95 of the overloaded seconds after
  std::string reason;              // why the knee is where it is (or why none was found)
  // Details, for the charts.
  int64_t knee_second = -1;    // the first second of the overload that marks the knee
  double low_load_p95_ms = 0;  // the low-load level
  double limit_p95_ms = 0;     // a second above this p95 is overloaded
};

// One second of a run, all request names together.
struct SecondPoint {
  int64_t second = 0;
  uint64_t requests = 0;  // completed in that second: the achieved rate
  uint64_t failed = 0;
  double p95_ms = 0;
};

inline constexpr uint64_t kMinRequestsPerSecond = 10;  // fewer: the second is not judged
inline constexpr int kOverloadedSecondsInARow = 3;
inline constexpr double kLatencyFactor = 2.0;
inline constexpr double kLatencyMarginMs = 1.0;
inline constexpr double kFailureRatio = 0.01;

// `points` ascending by second.
Knee FindKnee(const std::vector<SecondPoint>& points);

// The points of a run: per second, every name's histogram merged, p95 from the merged one.
std::vector<SecondPoint> SecondPoints(const results::Results& results);

}  // namespace fourdollar::report
