// Time, behind an interface so tests can substitute a fake clock.
#pragma once

#include <cstdint>

namespace fourdollar {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, milliseconds since the Unix epoch (UTC).
  virtual int64_t NowUnixMs() const = 0;
  // Monotonic time in nanoseconds, for durations and deadlines.
  virtual int64_t MonotonicNs() const = 0;
};

// The real clocks (CLOCK_REALTIME, CLOCK_MONOTONIC). Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowUnixMs() const override;
  int64_t MonotonicNs() const override;
};

// A process-wide SystemClock instance (immutable, so not mutable global state).
const Clock& RealClock();

// Monotonic nanoseconds without a virtual call, for hot paths.
int64_t MonotonicNowNs();

}  // namespace fourdollar
