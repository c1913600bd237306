#include "cli/load_command.h"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <ctime>

#include "load/runner.h"
#include "load/start_at.h"
#include "results/summary.h"
#include "scenario/scenario_loader.h"
#include "scenario/scenario_values.h"

namespace fourdollar::cli {

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "fourdollar load: %s\n", message.c_str());
  return 2;
}

Result<load::Segment> ParseSegment(const std::string& text) {
  load::Segment segment;
  size_t slash = text.find('/');
  auto parse = [](std::string_view part, int* out) {
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), *out);
    return ec == std::errc() && ptr == part.data() + part.size();
  };
  if (slash == std::string::npos ||
      !parse(std::string_view(text).substr(0, slash), &segment.index) ||
      !parse(std::string_view(text).substr(slash + 1), &segment.count) || segment.count < 1 ||
      segment.index < 1 || segment.index > segment.count) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--segment \"" + text + "\": expected i/n with 1 <= i <= n, e.g. 1/2");
  }
  return segment;
}

// The run's outcome on stdout and stderr, and its exit code: 0, 99 when a threshold failed, 1
// when the run could not be made or its results not written, 128 + the signal (130 for Ctrl-C)
// when interrupted while waiting for --start-at.
int ReportOutcome(const Result<load::LoadOutcome>& outcome, const std::string& out_dir) {
  if (!outcome) {
    std::fprintf(stderr, "fourdollar load: %s\n", outcome.error().message.c_str());
    return 1;
  }
  if (outcome->signal_before_start != 0) {
    std::fprintf(stderr,
                 "fourdollar load: interrupted while waiting to start: nothing was sent and no "
                 "results were written\n");
    return 128 + outcome->signal_before_start;
  }
  std::fputs(results::FormatSummary(outcome->results).c_str(), stdout);
  if (!outcome->written) {
    std::fprintf(stderr, "fourdollar load: %s\n", outcome->written.error().message.c_str());
    return 1;
  }
  std::printf("\nresults: %s\n", out_dir.c_str());
  return outcome->results.ThresholdsPassed() ? 0 : 99;
}

}  // namespace

void AddLoadCommand(CLI::App& app, LoadConfig& config) {
  CLI::App* load = app.add_subcommand("load", "Run a scenario file (k6's model) against a server");
  load->add_option("scenario", config.scenario_path, "Scenario file (YAML)")->required();
  load->add_option("--target", config.target, "Base URL overriding the file's target");
  load->add_option("--env", config.env, "NAME=VALUE for ${NAME} in the file (repeatable)");
  load->add_option("--stages", config.stages,
                   "Ramp of VUs overriding the file's, e.g. \"10s:50,10s:0\"");
  load->add_option("--out", config.out_dir, "Results folder (default results/<UTC timestamp>)");
  load->add_option("--threads", config.threads, "Load threads, one event loop each")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  load->add_option("--segment", config.segment, "This machine's share i/n of the load")
      ->capture_default_str();
  load->add_option("--watch-pid", config.watch_pid,
                   "Sample this local process's CPU and memory each second");
  load->add_option("--scrape", config.scrape_url, "Read this server /metrics URL each second");
  AddIoBackendOption(*load, config.io_backend);
  load->add_flag("--raw-csv", config.raw_csv, "Also write one row per request in k6's CSV layout");
  load->add_option("--start-at", config.start_at,
                   "Wait until this time to start, so machines start together: RFC 3339 with a "
                   "zone (2026-11-26T20:00:00Z) or @UNIX_SECONDS");
}

int RunLoadCommand(const LoadConfig& config) {
  // The flag is checked first: a wrong time is the likeliest mistake when starting several
  // machines together.
  int64_t start_at_unix_us = 0;
  if (config.start_at) {
    Result<int64_t> start_at = load::ParseStartAt(*config.start_at);
    if (!start_at) return Fail(start_at.error().message);
    Status in_range = load::CheckStartAt(*config.start_at, *start_at, load::WallNowUs());
    if (!in_range) return Fail(in_range.error().message);
    start_at_unix_us = *start_at;
  }
  scenario::Variables variables;
  variables.fallback = scenario::Variables::ProcessEnvironment();
  for (const std::string& pair : config.env) {
    if (Status s = variables.AddFlag(pair); !s) return Fail("--env: " + s.error().message);
  }
  Result<scenario::ScenarioFile> file = scenario::LoadScenarioFile(config.scenario_path, variables);
  if (!file) return Fail(file.error().message);
  if (!config.target.empty()) {
    // The same rule as the file's `target:`: a base URL without a path (never one dropped).
    Result<std::string> target = scenario::NormalizeTarget(config.target);
    if (!target) return Fail("--target: " + target.error().message);
    file->target = std::move(*target);
  }
  if (file->target.empty()) {
    return Fail(config.scenario_path +
                ": no target: set `target:` in the file or pass --target URL");
  }
  if (!config.stages.empty()) {
    Result<std::vector<scenario::Stage>> stages = scenario::ParseStagesFlag(config.stages);
    if (!stages) return Fail("--stages: " + stages.error().message);
    file->execution = scenario::Execution{};
    file->execution.model = scenario::Execution::Model::kRampingVus;
    file->execution.stages = std::move(*stages);
  }
  Result<load::Segment> segment = ParseSegment(config.segment);
  if (!segment) return Fail(segment.error().message);
  load::LoadOptions options;
  options.out_dir = config.out_dir.empty() ? load::DefaultResultsDir() : config.out_dir;
  options.threads = config.threads;
  options.segment = *segment;
  options.watch_pid = config.watch_pid;
  options.scrape_url = config.scrape_url;
  options.raw_csv = config.raw_csv;
  options.terminal = isatty(STDERR_FILENO) != 0;
  options.start_at_unix_us = start_at_unix_us;
  options.io_backend = ChooseAndLogIoBackend(config.io_backend).backend;
  return ReportOutcome(load::RunLoad(*file, options), options.out_dir);
}

}  // namespace fourdollar::cli
