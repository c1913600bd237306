// Builds a run's results from what its threads and samplers hand over while it runs.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "results/recorder.h"
#include "results/results.h"
#include "results/threshold.h"

namespace fourdollar::results {

// Collects what the load threads and the samplers hand over during a run. Thread-safe: any
// thread may add at any time (a mutex; each call is once per second per thread).
class ResultsBuilder {
 public:
  ResultsBuilder() = default;
  ResultsBuilder(const ResultsBuilder&) = delete;
  ResultsBuilder& operator=(const ResultsBuilder&) = delete;

  // Data of the same second (from several threads, or late) merges.
  void Add(const SecondData& data);
  void Add(const std::vector<SecondData>& data);
  // The watched server process at `second`: CPU percent of one core, resident bytes.
  void AddWatchSample(int64_t second, double cpu_percent, uint64_t rss_bytes);
  // Server metrics scraped at `second`; a later sample of a metric replaces an earlier one.
  void AddScrapeSample(int64_t second, const std::map<std::string, double>& values);
  void AddGeneratorCpu(int64_t second, double cpu_percent);

  // The run's results: rows for every second from 0 to the last one with data or within
  // run.duration_ms, totals, run.generator_cpu_max raised to the highest sample, thresholds.
  Results Build(RunInfo run, const std::vector<Threshold>& thresholds) const;

 private:
  SecondRow& RowLocked(int64_t second);
  mutable std::mutex mutex_;
  std::map<int64_t, SecondRow> rows_;
};

}  // namespace fourdollar::results
