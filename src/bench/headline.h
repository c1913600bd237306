// The sentence the bench ends with, comparing this machine with the original article's
// $4 VPS (Go + MongoDB, about 1300 requests/s on one vCPU).
#pragma once

#include <string>

namespace fourdollar::bench {

inline constexpr double kArticleRequestsPerSecond = 1300;

struct HeadlineFacts {
  std::string where;  // "1 CPU here", "2 CPUs here", "http://host:8080"
  enum class Kind {
    kKnee,          // the limit search found the knee
    kBelowFirst,    // no step held, even at lower rates
    kNoKnee,        // it ended without breaking (every step passed, generator limit, Ctrl-C)
    kSeedPeakOnly,  // no limit search: the seed scenario's busiest second
  };
  Kind kind = Kind::kKnee;
  double requests_per_second = 0;
  double p95_ms = 0;
  std::string reason;  // for kBelowFirst and kNoKnee: why the search ended
};

// "1 CPU here: knee at about 12400 requests/s, p95 3.1 ms. The article's $4 VPS (Go +
// MongoDB): about 1300 requests/s." Rates are rounded to three significant digits.
std::string FormatHeadline(const HeadlineFacts& facts);

// 12345 -> 12300, 987.6 -> 988, 0.5 -> 1 (three significant digits, at least 1 when positive).
long long RoundForReading(double value);

}  // namespace fourdollar::bench
