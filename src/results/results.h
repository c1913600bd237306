// The merged figures of a whole load test: what `fourdollar load` prints at the end, writes
// to its results folder (results_files.h) and `fourdollar report` reads back and merges.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "results/recorder.h"
#include "results/threshold.h"

namespace fourdollar::results {

// Results hold one row per second, so readers refuse a run longer than a week (a wrong
// timestamp, or runs that are not one test) instead of making a row for every second between.
inline constexpr int64_t kMaxRunSeconds = 7 * 24 * 3600;
// The latest start time readers accept: the end of the year 9999, in unix milliseconds.
inline constexpr int64_t kMaxStartUnixMs = 253'402'300'799'999;

// Above this share of the CPUs its threads could use (percent), a generator measures itself as
// much as its target: its own queueing shows in the durations it records.
inline constexpr double kGeneratorSaturatedPercent = 85;

struct RunInfo {
  int version = 1;  // of the results format
  std::string scenario_path;
  std::string target;
  int64_t start_unix_ms = 0;     // second 0 of the run starts here
  int64_t start_at_unix_ms = 0;  // --start-at when given (the start it waited for), else 0
  int64_t duration_ms = 0;
  std::vector<std::string> names;  // request names; NameSecond maps are keyed by index here
  std::string segment = "1/1";     // this generator's share of the test; merged: "1/2,2/2"
  int threads = 1;
  std::string model = "ramping-vus";
  bool interrupted = false;          // stopped early (Ctrl-C)
  bool generator_saturated = false;  // generator_cpu_max above kGeneratorSaturatedPercent
  double generator_cpu_max = 0;      // percent of one CPU, the highest per-second sample

  bool operator==(const RunInfo& other) const = default;
};

// One second of the run, all threads (and, once merged, all segments) together.
struct SecondRow {
  int64_t second = 0;  // since RunInfo::start_unix_ms
  SecondData data;     // data.second == second; VUs and offered rates summed over threads
  std::optional<double> server_cpu_percent;  // the watched server process, percent of one CPU
  std::optional<uint64_t> server_rss_bytes;
  std::optional<double> generator_cpu_percent;
  std::map<std::string, double> scrape;  // metrics scraped from the server, by name

  bool operator==(const SecondRow& other) const = default;
};

// One threshold, judged. A threshold that could not be evaluated (no requests of that name,
// no checks, an aggregate that does not apply to the metric) fails, and `detail` says why:
// a typo in a name must not pass silently.
struct ThresholdOutcome {
  Threshold threshold;
  bool evaluated = false;
  double observed = 0;  // ms for durations, a fraction for rates, a count, or per second
  bool passed = false;
  std::string detail;
};

struct Results {
  RunInfo run;
  std::map<uint32_t, NameSecond> names;  // totals per name index (names with requests)
  NameSecond overall;                    // every request
  uint64_t iterations = 0;
  uint64_t dropped_iterations = 0;
  uint64_t checks_passed = 0;
  uint64_t checks_failed = 0;
  std::vector<SecondRow> seconds;  // ascending and contiguous from second 0 (or the first)
  std::vector<ThresholdOutcome> thresholds;
  // The first message of each failure kind seen in this run ("tls_verification" ->
  // "certificate verification failed: certificate has expired"): printed in the summary of a
  // run, not kept in the results files.
  std::map<std::string, std::string> first_failures;

  double DurationSeconds() const { return static_cast<double>(run.duration_ms) / 1000.0; }
  // Per second of the run's duration; 0 when the duration is 0.
  double RatePerSecond(uint64_t count) const;
  bool ThresholdsPassed() const;
};

// Recomputes the totals (names, overall, iterations, dropped, checks) from `seconds`.
void ComputeTotals(Results& results);

}  // namespace fourdollar::results
