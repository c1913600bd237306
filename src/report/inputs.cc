#include "report/inputs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "report/k6_csv.h"
#include "results/results_files.h"
#include "results/results_merge.h"

namespace fourdollar::report {
namespace {

std::string Head(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string head(4096, '\0');
  file.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(file.gcount()));
  return head;
}

// The steps of a sweep, each trimmed to its steady part, merged on their own time line: they
// ran one after the other, so there is no spread to warn of and no drain between them.
Result<LoadedRun> LoadSweep(const std::string& dir) {
  Result<Sweep> sweep = ReadSweep(dir);
  if (!sweep) return tl::unexpected(sweep.error());
  if (sweep->steps.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, dir + "/" + kSweepFile + ": no steps");
  }
  std::vector<results::Results> steps;
  for (const StepFigures& step : sweep->steps) {
    Result<results::Results> results = results::ReadResults(dir + "/" + step.dir);
    if (!results) return tl::unexpected(results.error());
    steps.push_back(SteadyPart(std::move(*results), sweep->step_ms, sweep->skip_seconds));
  }
  Result<results::Results> merged =
      steps.size() == 1 ? Result<results::Results>(steps.front()) : results::MergeResults(steps);
  if (!merged) return tl::unexpected(merged.error());
  LoadedRun loaded;
  loaded.inputs = {dir};
  loaded.source = "fourdollar bench sweep";
  loaded.results = std::move(*merged);
  loaded.results.run.segment = "1/1";
  loaded.results.thresholds.clear();  // each step's own bounds: the steps' verdicts stand instead
  loaded.sweep = std::move(*sweep);
  return loaded;
}

}  // namespace

Result<LoadedRun> LoadInputs(const std::vector<std::string>& inputs) {
  if (inputs.size() == 1 && IsSweepFolder(inputs.front())) return LoadSweep(inputs.front());
  // A bench's folder: its sweep.
  if (inputs.size() == 1 && IsSweepFolder(inputs.front() + "/limit")) {
    return LoadSweep(inputs.front() + "/limit");
  }
  if (inputs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no input: give results folders of `fourdollar load` or k6 CSV files");
  }
  LoadedRun loaded;
  loaded.inputs = inputs;
  std::vector<results::Results> segments;
  bool any_folder = false;
  bool any_csv = false;
  for (const std::string& input : inputs) {
    std::error_code ec;
    const auto status = std::filesystem::status(input, ec);
    if (ec || !std::filesystem::exists(status)) {
      return MakeError(ErrorCode::kNotFound, input + ": no such file or folder");
    }
    if (std::filesystem::is_directory(status)) {
      Result<results::Results> results = results::ReadResults(input);
      if (!results) return tl::unexpected(results.error());
      segments.push_back(std::move(*results));
      any_folder = true;
      continue;
    }
    if (!LooksLikeK6Csv(Head(input))) {
      return MakeError(ErrorCode::kInvalidArgument,
                       input +
                           ": neither a results folder of `fourdollar load` nor a k6 CSV "
                           "file (no metric_name column in its first line)");
    }
    Result<K6Import> imported = ReadK6Csv(input);
    if (!imported) return tl::unexpected(imported.error());
    // A report of nothing would hide that the file was not what it seemed.
    if (imported->results.overall.requests == 0) {
      std::string message = input + ": no http_req_duration line to report";
      if (!imported->skipped_examples.empty()) {
        message += "; " + std::to_string(imported->skipped_lines) +
                   " malformed lines were skipped, first: " + imported->skipped_examples.front();
      }
      return MakeError(ErrorCode::kInvalidArgument, std::move(message));
    }
    loaded.skipped_lines += imported->skipped_lines;
    for (std::string& example : imported->skipped_examples) {
      if (loaded.skipped_examples.size() < kSkippedExamples) {
        loaded.skipped_examples.push_back(std::move(example));
      }
    }
    segments.push_back(std::move(imported->results));
    any_csv = true;
  }
  if (any_folder && any_csv) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "results folders and k6 CSV files cannot be merged into one report: give "
                     "one kind");
  }
  loaded.source = any_csv ? "k6 CSV" : "fourdollar load";
  if (segments.size() == 1) {
    loaded.results = std::move(segments.front());
    return loaded;
  }
  if (any_folder) {
    const auto [earliest, latest] = std::minmax_element(
        segments.begin(), segments.end(), [](const results::Results& a, const results::Results& b) {
          return a.run.start_unix_ms < b.run.start_unix_ms;
        });
    loaded.start_spread_ms = latest->run.start_unix_ms - earliest->run.start_unix_ms;
  }
  Result<results::Results> merged = results::MergeResults(segments);
  if (!merged) return tl::unexpected(merged.error());
  loaded.results = std::move(*merged);
  return loaded;
}

}  // namespace fourdollar::report
