// Temporary folders and synthetic runs for the report tests.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "results/recorder.h"
#include "results/results.h"
#include "results/results_builder.h"
#include "support/temp_dir.h"

namespace fourdollar::report::testing {

using TempDir = test_support::TempDir;

inline constexpr int64_t kStartUnixMs = 1'700'000'000'000;

// A run whose second s completes rate(s) requests with durations spread evenly over
// [p95 / 2, p95 * 1.04] (so the 95th percentile is about p95_ms), `failed_ratio` of them with
// status 500. The duration is one second longer than the last second.
struct SyntheticSecond {
  uint64_t requests = 0;
  double p95_ms = 0;
  double failed_ratio = 0;
};

inline results::Results SyntheticRun(const std::vector<SyntheticSecond>& seconds) {
  results::Recorder recorder(kStartUnixMs * 1000);
  for (size_t s = 0; s < seconds.size(); ++s) {
    const SyntheticSecond& spec = seconds[s];
    const uint64_t failed =
        static_cast<uint64_t>(spec.failed_ratio * static_cast<double>(spec.requests));
    for (uint64_t i = 0; i < spec.requests; ++i) {
      results::RequestSample sample;
      const double fraction = static_cast<double>(i) / static_cast<double>(spec.requests);
      const double ms = spec.p95_ms * (0.5 + 0.54 * fraction);
      sample.duration_us = static_cast<int64_t>(ms * 1000.0);
      sample.start_unix_us = kStartUnixMs * 1000 + static_cast<int64_t>(s) * 1'000'000 +
                             static_cast<int64_t>(i * 1'000'000 / spec.requests) / 2;
      sample.status = i < failed ? 500 : 200;
      sample.failure = i < failed ? results::FailureKind::kStatus : results::FailureKind::kNone;
      recorder.Record(sample);
    }
  }
  results::ResultsBuilder builder;
  builder.Add(recorder.TakeBefore(INT64_MAX));
  results::RunInfo run;
  run.start_unix_ms = kStartUnixMs;
  run.duration_ms = static_cast<int64_t>(seconds.size()) * 1000;
  run.names = {"GET /"};
  return builder.Build(run, {});
}

}  // namespace fourdollar::report::testing
