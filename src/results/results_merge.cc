#include "results/results_merge.h"

#include <algorithm>
#include <map>
#include <optional>

#include "results/thresholds_eval.h"

namespace fourdollar::results {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

template <typename T>
void KeepLargest(std::optional<T>& into, const std::optional<T>& from) {
  if (from && (!into || *from > *into)) into = from;
}

}  // namespace

Result<Results> MergeResults(const std::vector<Results>& segments) {
  if (segments.empty()) return MakeError(ErrorCode::kInvalidArgument, "no results to merge");
  const RunInfo& first = segments.front().run;
  for (size_t i = 1; i < segments.size(); ++i) {
    const RunInfo& run = segments[i].run;
    if (run.version != first.version) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "segment " + std::to_string(i + 1) + " has results format version " +
                           std::to_string(run.version) + ", the first has " +
                           std::to_string(first.version));
    }
    if (run.model != first.model) {
      return MakeError(ErrorCode::kInvalidArgument, "segment " + std::to_string(i + 1) +
                                                        " ran the model " + run.model +
                                                        ", the first ran " + first.model);
    }
  }

  Results merged;
  RunInfo& info = merged.run;
  info.version = first.version;
  info.scenario_path = first.scenario_path;
  info.target = first.target;
  info.model = first.model;
  info.threads = 0;
  info.segment.clear();
  info.start_unix_ms = first.start_unix_ms;
  info.start_at_unix_ms = first.start_at_unix_ms;
  int64_t end_unix_ms = first.start_unix_ms + first.duration_ms;
  for (const Results& segment : segments) {
    const RunInfo& run = segment.run;
    info.start_unix_ms = std::min(info.start_unix_ms, run.start_unix_ms);
    if (run.start_at_unix_ms != info.start_at_unix_ms) info.start_at_unix_ms = 0;
    end_unix_ms = std::max(end_unix_ms, run.start_unix_ms + run.duration_ms);
    info.segment += (info.segment.empty() ? "" : ",") + run.segment;
    info.threads += run.threads;
    info.interrupted = info.interrupted || run.interrupted;
    info.generator_saturated = info.generator_saturated || run.generator_saturated;
    info.generator_cpu_max = std::max(info.generator_cpu_max, run.generator_cpu_max);
  }
  info.duration_ms = end_unix_ms - info.start_unix_ms;
  // Readers keep each segment within kMaxRunSeconds; segments far apart are not one test.
  if (info.duration_ms > kMaxRunSeconds * 1000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the segments span " + std::to_string(info.duration_ms / 1000) +
                         " seconds from the first start to the last end: more than a week, so "
                         "they are not one test");
  }

  std::map<int64_t, SecondRow> rows;
  for (const Results& segment : segments) {
    // The segment's name indexes, renumbered into the merged list (names matched by text).
    std::vector<uint32_t> index_of;
    for (const std::string& name : segment.run.names) {
      auto it = std::find(info.names.begin(), info.names.end(), name);
      if (it == info.names.end()) it = info.names.insert(info.names.end(), name);
      index_of.push_back(static_cast<uint32_t>(it - info.names.begin()));
    }
    for (const SecondRow& row : segment.seconds) {
      const int64_t second = FloorDiv(
          segment.run.start_unix_ms + row.second * 1000 - info.start_unix_ms, int64_t{1000});
      SecondRow& into = rows[second];
      into.second = into.data.second = second;
      SecondData renamed = row.data;
      renamed.names.clear();
      for (const auto& [index, figures] : row.data.names) {
        if (index >= index_of.size()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "segment " + segment.run.segment + " has figures for name index " +
                               std::to_string(index) + " but only " +
                               std::to_string(index_of.size()) + " names");
        }
        renamed.names[index_of[index]] = figures;
      }
      into.data.Merge(renamed);
      KeepLargest(into.server_cpu_percent, row.server_cpu_percent);
      KeepLargest(into.server_rss_bytes, row.server_rss_bytes);
      KeepLargest(into.generator_cpu_percent, row.generator_cpu_percent);
      for (const auto& [name, value] : row.scrape) {
        auto [it, inserted] = into.scrape.emplace(name, value);
        if (!inserted) it->second = std::max(it->second, value);
      }
    }
  }
  if (!rows.empty()) {
    for (int64_t second = rows.begin()->first; second <= rows.rbegin()->first; ++second) {
      SecondRow& row = rows[second];
      row.second = row.data.second = second;
      merged.seconds.push_back(std::move(row));
    }
  }
  ComputeTotals(merged);
  std::vector<Threshold> thresholds;
  for (const ThresholdOutcome& outcome : segments.front().thresholds) {
    thresholds.push_back(outcome.threshold);
  }
  merged.thresholds = EvaluateThresholds(thresholds, merged);
  return merged;
}

}  // namespace fourdollar::results
