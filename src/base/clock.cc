#include "base/clock.h"

#include <time.h>

namespace fourdollar {

namespace {
int64_t Read(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

int64_t SystemClock::NowUnixMs() const { return Read(CLOCK_REALTIME) / 1'000'000; }
int64_t SystemClock::MonotonicNs() const { return Read(CLOCK_MONOTONIC); }

const Clock& RealClock() {
  static const SystemClock clock;
  return clock;
}

int64_t MonotonicNowNs() { return Read(CLOCK_MONOTONIC); }

}  // namespace fourdollar
