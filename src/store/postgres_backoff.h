// When to try a lost PostgreSQL connection again: at once the first time, then after 100 ms,
// doubling up to 2 s while attempts keep failing.
//
// Threading: one thread uses a backoff.
#pragma once

#include <algorithm>
#include <cstdint>

namespace fourdollar::store {

class ReconnectBackoff {
 public:
  static constexpr int64_t kFirstDelayMs = 100;
  static constexpr int64_t kMaxDelayMs = 2000;

  // True when an attempt may be made at monotonic time `now_ns`.
  bool Due(int64_t now_ns) const { return now_ns >= next_attempt_ns_; }
  // Milliseconds until the next attempt is due (0 when due).
  int64_t WaitMs(int64_t now_ns) const {
    return std::max<int64_t>(0, (next_attempt_ns_ - now_ns + 999'999) / 1'000'000);
  }
  void Failed(int64_t now_ns) {
    delay_ms_ = delay_ms_ == 0 ? kFirstDelayMs : std::min(delay_ms_ * 2, kMaxDelayMs);
    next_attempt_ns_ = now_ns + delay_ms_ * 1'000'000;
  }
  void Succeeded() {
    delay_ms_ = 0;
    next_attempt_ns_ = 0;
  }

 private:
  int64_t delay_ms_ = 0;
  int64_t next_attempt_ns_ = 0;
};

}  // namespace fourdollar::store
