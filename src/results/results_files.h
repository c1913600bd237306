// The results folder of a run (see docs/results-format.md): summary.json, seconds.csv,
// histograms.txt and scrape.csv. Written at the end of `fourdollar load`, read back by
// `fourdollar report`, which merges segments through the histograms.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "results/results.h"

namespace fourdollar::results {

// Writes the four files into `dir`, creating it (and its parents). Existing files are
// replaced. Errors name the file.
Status WriteResults(const Results& results, const std::string& dir);

// Reads a folder written by WriteResults. Totals come from the per-second figures and must
// agree with the totals recorded in histograms.txt. Every malformed line, unknown version or
// missing key is an error naming the file and line (or key).
Result<Results> ReadResults(const std::string& dir);

// The first line of histograms.txt, and the column headers of the CSV files.
inline constexpr char kHistogramsHeader[] = "# fourdollar-histograms 1";
inline constexpr char kSecondsCsvHeader[] =
    "time_s,unix_ms,name,vus,offered_rate,requests,failures,p50_ms,p95_ms,p99_ms,max_ms,"
    "bytes_sent,bytes_received,server_cpu_percent,server_rss_bytes,generator_cpu_percent,"
    "iterations,dropped_iterations,checks_passed,checks_failed";
inline constexpr char kScrapeCsvHeader[] = "time_s,unix_ms,metric,value";

// scrape.csv's name for node_exporter's CPU seconds in one mode, summed over the machine's CPUs:
// node_cpu_seconds_total{mode="user"}. Written by the scraper, read by the report.
inline std::string NodeCpuKey(std::string_view mode) {
  return "node_cpu_seconds_total{mode=\"" + std::string(mode) + "\"}";
}

}  // namespace fourdollar::results
