#include "results/results.h"

#include <algorithm>

namespace fourdollar::results {

double Results::RatePerSecond(uint64_t count) const {
  return run.duration_ms > 0 ? static_cast<double>(count) / DurationSeconds() : 0;
}

bool Results::ThresholdsPassed() const {
  return std::all_of(thresholds.begin(), thresholds.end(),
                     [](const ThresholdOutcome& outcome) { return outcome.passed; });
}

void ComputeTotals(Results& results) {
  results.names.clear();
  results.overall = NameSecond();
  results.iterations = results.dropped_iterations = 0;
  results.checks_passed = results.checks_failed = 0;
  for (const SecondRow& row : results.seconds) {
    for (const auto& [index, figures] : row.data.names) {
      results.names[index].Merge(figures);
      results.overall.Merge(figures);
    }
    results.iterations += row.data.iterations;
    results.dropped_iterations += row.data.dropped_iterations;
    results.checks_passed += row.data.checks_passed;
    results.checks_failed += row.data.checks_failed;
  }
}

}  // namespace fourdollar::results
