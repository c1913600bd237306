// The inputs of a report: results folders of `fourdollar load` and k6 CSV files, read and
// merged into one run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "base/result.h"
#include "report/sweep.h"
#include "results/results.h"

namespace fourdollar::report {

struct LoadedRun {
  results::Results results;  // several inputs merged through their histograms (MergeResults)
  std::vector<std::string> inputs;
  std::string source;          // "fourdollar load" or "k6 CSV"
  uint64_t skipped_lines = 0;  // k6 CSV lines that were malformed
  std::vector<std::string> skipped_examples;
  // Results folders: the latest start minus the earliest (0 for one folder). Generators that
  // did not start together (no common --start-at) applied their shares at different times.
  int64_t start_spread_ms = 0;
  // A bench's sweep (a folder with sweep.json): its steps ran one after the other, so they
  // are not segments; `results` holds only their steady parts.
  std::optional<Sweep> sweep;
};

// A folder is read as a results folder (results::ReadResults), a file as k6 CSV (k6_csv.h).
// Several inputs are segments of one test: seconds aligned by wall-clock time, names matched
// by text, histograms merged (not percentiles averaged). A folder with a sweep.json (the
// bench's limit search), or a bench's folder holding one in limit/, is read as one sweep: its
// steps' steady parts on one time line. Errors name
// the input: missing, neither kind, unreadable, or a mix of folders and k6 files.
Result<LoadedRun> LoadInputs(const std::vector<std::string>& inputs);

}  // namespace fourdollar::report
