// `fourdollar report --compare A B [C...]`: runs side by side. Each input is a results folder,
// a bench folder (its limit sweep, or its seed scenario without one), a sweep folder or a k6
// CSV file. The first is the baseline: every figure of the others is also given as a ratio to
// it, and conditions such as "p95 > 1.10x" (a figure more than 1.10 times the baseline's) turn
// the comparison into a gate for CI.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace fourdollar::report {

// The figures compared, in table order: requests, rps (average per second), capacity (the
// sweep's held rate or the knee's; the peak second without one), p50, p95, p99, max (ms),
// failed (fraction of requests), dropped (iterations).
inline constexpr const char* kComparedFigures[] = {"requests", "rps", "capacity", "p50",    "p95",
                                                   "p99",      "max", "failed",   "dropped"};

struct CompareCondition {
  std::string source;   // as given: "p95 > 1.10x"
  std::string figure;   // one of kComparedFigures
  bool greater = true;  // ">" (else "<")
  double factor = 1;    // times the baseline's figure
};

// "p95 > 1.10x", "capacity < 0.9x": an error naming the condition and what is wrong.
Result<CompareCondition> ParseCondition(const std::string& text);

struct RunFigures {
  std::string input;
  std::string headline;
  std::vector<double> figures;         // in kComparedFigures order
  std::vector<double> seconds_p95_ms;  // per second, for the overlaid curves (-1: none)
  std::vector<double> seconds_rps;
};

struct Comparison {
  std::vector<RunFigures> runs;     // runs[0] is the baseline
  std::vector<std::string> failed;  // "p95 > 1.10x: B 3.2 ms is 2.41x A's 1.33 ms"
  std::string text;                 // the table and the verdicts, for stdout
  std::string html;
};

Result<Comparison> Compare(const std::vector<std::string>& inputs,
                           const std::vector<CompareCondition>& conditions);

}  // namespace fourdollar::report
