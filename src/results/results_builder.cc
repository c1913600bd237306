#include "results/results_builder.h"

#include <algorithm>
#include <utility>

#include "results/thresholds_eval.h"

namespace fourdollar::results {

SecondRow& ResultsBuilder::RowLocked(int64_t second) {
  SecondRow& row = rows_[second];
  row.second = second;
  row.data.second = second;
  return row;
}

void ResultsBuilder::Add(const SecondData& data) {
  std::lock_guard lock(mutex_);
  RowLocked(data.second).data.Merge(data);
}

void ResultsBuilder::Add(const std::vector<SecondData>& data) {
  std::lock_guard lock(mutex_);
  for (const SecondData& second : data) RowLocked(second.second).data.Merge(second);
}

void ResultsBuilder::AddWatchSample(int64_t second, double cpu_percent, uint64_t rss_bytes) {
  std::lock_guard lock(mutex_);
  SecondRow& row = RowLocked(second);
  row.server_cpu_percent = cpu_percent;
  row.server_rss_bytes = rss_bytes;
}

void ResultsBuilder::AddScrapeSample(int64_t second, const std::map<std::string, double>& values) {
  std::lock_guard lock(mutex_);
  SecondRow& row = RowLocked(second);
  for (const auto& [name, value] : values) row.scrape[name] = value;
}

void ResultsBuilder::AddGeneratorCpu(int64_t second, double cpu_percent) {
  std::lock_guard lock(mutex_);
  RowLocked(second).generator_cpu_percent = cpu_percent;
}

Results ResultsBuilder::Build(RunInfo run, const std::vector<Threshold>& thresholds) const {
  Results results;
  results.run = std::move(run);
  {
    std::lock_guard lock(mutex_);
    // Empty seconds get rows too, so a stall shows as zeros rather than as a gap.
    const int64_t duration_seconds = (results.run.duration_ms + 999) / 1000;
    const int64_t first = rows_.empty() ? 0 : std::min<int64_t>(0, rows_.begin()->first);
    const int64_t last =
        std::max(duration_seconds - 1, rows_.empty() ? int64_t{-1} : rows_.rbegin()->first);
    for (int64_t second = first; second <= last; ++second) {
      auto it = rows_.find(second);
      SecondRow row;
      if (it != rows_.end()) {
        row = it->second;
      } else {
        row.second = row.data.second = second;
      }
      if (row.generator_cpu_percent) {
        results.run.generator_cpu_max =
            std::max(results.run.generator_cpu_max, *row.generator_cpu_percent);
      }
      results.seconds.push_back(std::move(row));
    }
  }
  ComputeTotals(results);
  results.thresholds = EvaluateThresholds(thresholds, results);
  return results;
}

}  // namespace fourdollar::results
