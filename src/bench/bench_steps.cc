// BenchRun: the measurements: the seed scenario, the limit search and the cost steps
// (bench_run.h).
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#include "bench/bench_run.h"

namespace fourdollar::bench {

Status BenchRun::RunSeedScenario() {
  Result<scenario::ScenarioFile> file =
      LoadSeedScenario(options_.scenario_path, token_, target_, options_.quick);
  if (!file) return Fail(ErrorCode::kUnavailable, file.error().message);
  ApplyConnections(*file);
  seed_ = *file;
  const std::string mode =
      VisitorsMode(target_.starts_with("https://"), seed_.scenarios[0].connections);
  where_ += ", " + mode;
  Say("visitors: " + mode);
  const std::string dir = out_dir_ + "/seed";
  Say("seed scenario: " + file->path + ", " + DescribeDuration(file->execution.TotalDurationMs()) +
      "...");
  if (Result<double> ran = RunLoadInto(*file, dir); !ran) {
    return Fail(ErrorCode::kUnavailable, "seed scenario: " + ran.error().message);
  }
  Result<results::Results> results = results::ReadResults(dir);
  if (!results) return Fail(ErrorCode::kUnavailable, "seed scenario: " + results.error().message);
  measured_.push_back(dir);
  if (results->run.interrupted) interrupted_ = true;
  seed_rate_ = EstimateIterationRate(*results, 0);
  seed_requests_per_iteration_ = RequestsPerIteration(*results);
  const results::Results& r = *results;
  seed_peak_rps_ = 0;
  for (const results::SecondRow& row : r.seconds) {
    double requests = 0;
    for (const auto& [index, figures] : row.data.names) {
      requests += static_cast<double>(figures.requests);
    }
    seed_peak_rps_ = std::max(seed_peak_rps_, requests);
  }
  seed_p95_ms_ = static_cast<double>(r.overall.duration.PercentileUs(95)) / 1000.0;
  Say("seed scenario: " + std::to_string(r.overall.requests) + " requests, " +
      Fixed(r.RatePerSecond(r.overall.requests), 0) + "/s on average, " + Fixed(seed_peak_rps_, 0) +
      "/s at the peak, p95 " + Fixed(seed_p95_ms_, 1) + " ms, " +
      std::to_string(r.overall.failed()) + " failed; thresholds " +
      (r.ThresholdsPassed() ? "passed" : "failed") +
      (r.run.generator_saturated ? "; the generator was saturated" : ""));
  return CheckServer("the seed scenario");
}

Status BenchRun::SearchLimit() {
  const LimitSettings settings = LimitSettingsFor(options_.quick);
  // No estimate when the seed scenario completed nothing: start low.
  const double estimate = seed_rate_ > 0 ? seed_rate_ : 100;
  Say("limit search: steady steps of " + DescribeDuration(settings.step_ms) + " (the first " +
      std::to_string(settings.skip_seconds) + " s and the drain not judged), from " +
      Fixed(StepRates(estimate, settings).current(), 0) + " iterations/s, x" +
      Fixed(settings.growth, 2) + " each until p95 > " + Fixed(settings.p95_bound_ms, 0) +
      " ms, failures or dropped iterations > 1%, then bisection to within " +
      Fixed(settings.precision * 100, 0) + "%; at most " + std::to_string(settings.max_steps) +
      " steps");
  StepRates rates(estimate, settings);
  for (bool more = true; more && !Stopping();) {
    const double rate = rates.current();
    const int number = rates.steps() + 1;
    char name[32];
    std::snprintf(name, sizeof name, "step-%02d", number);
    Say("limit search: step " + std::to_string(number) + ", " + Fixed(rate, 0) + " iterations/s (" +
        Fixed(rate * seed_requests_per_iteration_, 0) + " requests/s) for " +
        DescribeDuration(settings.step_ms) + (rates.bisecting() ? ", bisecting" : "") + "...");
    Result<StepFigures> figures =
        RunStep(seed_, rate, seed_requests_per_iteration_, settings, "limit/" + std::string(name));
    if (!figures) return tl::unexpected(figures.error());
    const StepFigures& step = *figures;
    steps_.push_back(step);
    if (step.interrupted) interrupted_ = true;
    more = rates.Advance(step);
    std::string verdict = step.held          ? "held"
                          : step.interrupted ? "interrupted"
                                             : "broke (" + step.reason + ")";
    if (step.generator_saturated) {
      verdict +=
          more ? "; the generator is saturated" : "; the generator is saturated: stopping here";
    }
    Say("  " + DescribeStep(step) + ": " + verdict);
    if (Status alive = CheckServer("the limit search"); !alive) return alive;
  }
  return MeasureFlowCosts(settings);
}

// One constant-rate step of `file`'s flows, written to out_dir_/relative, read back and
// judged; `requests_per_iteration` 0: the step's own.
Result<StepFigures> BenchRun::RunStep(const scenario::ScenarioFile& file, double rate,
                                      double requests_per_iteration, const LimitSettings& settings,
                                      const std::string& relative) {
  auto failed = [&](const std::string& message) {
    return tl::unexpected(Fail(ErrorCode::kUnavailable, "limit search: " + message).error());
  };
  Result<scenario::ScenarioFile> step = LimitStepScenario(file, rate, settings);
  if (!step) return failed(step.error().message);
  const std::string dir = out_dir_ + "/" + relative;
  CpuWait server_wait(server_ != nullptr ? server_->pid() : -1);
  CpuWait generator_wait(0);
  if (server_ != nullptr) server_wait.Start();
  generator_wait.Start();
  Result<double> ran = RunLoadInto(*step, dir);
  if (!ran) return failed(ran.error().message);
  const double load_seconds = static_cast<double>(settings.step_ms) / 1000.0;
  const double server_waited = server_ != nullptr ? server_wait.Percent(1, load_seconds) : -1;
  // This process's threads that still run, and the load threads that ended with the run.
  const double generator_waited =
      generator_wait.Percent(generator_threads_, load_seconds, std::max(0.0, *ran));
  Result<results::Results> results = results::ReadResults(dir);
  if (!results) return failed(results.error().message);
  measured_.push_back(dir);
  StepFigures figures = JudgeStep(
      *results, rate,
      requests_per_iteration > 0 ? requests_per_iteration : RequestsPerIteration(*results),
      settings);
  figures.dir = relative.substr(relative.rfind('/') + 1);
  figures.server_wait_percent = server_waited;
  figures.generator_wait_percent = generator_waited;
  figures.generator_saturated = GeneratorSaturated(figures);
  return figures;
}

std::string BenchRun::DescribeStep(const StepFigures& step) const {
  std::string text = "offered " + Fixed(step.offered_rps, 0) + " requests/s, achieved " +
                     Fixed(step.achieved_rps, 0) + "/s, p50 " + Fixed(step.p50_ms, 1) + " p95 " +
                     Fixed(step.p95_ms, 1) + " p99 " + Fixed(step.p99_ms, 1) + " ms, " +
                     std::to_string(step.failed) + " failed, " +
                     std::to_string(step.dropped_iterations) + " dropped iterations";
  auto cpu = [](double busy, double waiting) {
    if (busy < 0) return std::string(" not measured");
    return " " + Fixed(busy, 0) + "%" +
           (waiting >= 0 ? " (waiting for a CPU " + Fixed(waiting, 0) + "%)" : "");
  };
  return text + ", server CPU" + cpu(step.server_cpu_percent, step.server_wait_percent) +
         ", generator CPU" + cpu(step.generator_cpu_percent, step.generator_wait_percent);
}

// What one request of each flow costs the server: each flow alone for one step, at half the
// rate of the fastest step that held times the flow's share (at least a quarter of it).
Status BenchRun::MeasureFlowCosts(const LimitSettings& settings) {
  SweepAnswer answer = AnswerOf(steps_, server_cpus());
  if (!answer.held || seed_.scenarios.size() < 2 || Stopping()) return {};
  double weights = 0;
  for (const scenario::Scenario& flow : seed_.scenarios) weights += flow.weight;
  for (size_t i = 0; i < seed_.scenarios.size() && !Stopping(); ++i) {
    scenario::ScenarioFile alone = seed_;
    alone.scenarios = {seed_.scenarios[i]};
    alone.scenarios[0].weight = 1;
    const scenario::Scenario& flow = alone.scenarios[0];
    const double share = std::max(0.25, flow.weight / std::max(1e-9, weights));
    const double rate = std::max(1.0, std::round(answer.held->offered_rate * 0.5 * share));
    FlowCost cost{.flow = flow.name};
    for (const scenario::Step& request : flow.flow) {
      cost.writes = cost.writes || request.method != http::Method::kGet;
    }
    Say("cost of one flow: " + flow.name + " alone, " + Fixed(rate, 0) + " iterations/s for " +
        DescribeDuration(settings.step_ms) + "...");
    Result<StepFigures> step =
        RunStep(alone, rate, 0, settings, "costs/flow-" + std::to_string(i + 1));
    if (!step) return tl::unexpected(step.error());
    cost.cpu_ms_per_thousand = CpuMsPerThousand(*step);
    Say("  " + DescribeStep(*step) +
        (cost.cpu_ms_per_thousand >= 0
             ? ": " + Fixed(cost.cpu_ms_per_thousand, 0) + " CPU-ms per 1000 requests"
             : std::string()));
    costs_.push_back(cost);
    if (Status alive = CheckServer("the cost steps"); !alive) return alive;
  }
  return {};
}

// What TLS costs the server: three steps at half the rate of the fastest step that held (or
// of the seed scenario): the seed's flows over HTTPS as the visitors connect, then as new
// visitors (a full handshake each iteration), then, after a restart without TLS on the same
// store, over plain HTTP.
void BenchRun::ViewRemoteTls() {
  if (measured_.empty()) return;
  Result<results::Results> seed = results::ReadResults(measured_[0]);
  if (!seed) return;
  const LimitSettings settings = LimitSettingsFor(options_.quick);
  const StepFigures steady =
      report::SteadyFigures(*seed, seed_rate_, seed_requests_per_iteration_,
                            seed_.execution.TotalDurationMs(), settings.skip_seconds);
  remote_tls_ = RemoteTlsViewOf(*seed, steady, VisitorsMode(true, seed_.scenarios[0].connections));
  Say("tls:" + FormatRemoteTls(*remote_tls_));
}

Status BenchRun::MeasureTlsCost() {
  const LimitSettings settings = LimitSettingsFor(options_.quick);
  const SweepAnswer answer = AnswerOf(steps_, server_cpus());
  const double rate = std::max(
      1.0, std::round((answer.held ? answer.held->offered_rate : std::max(2.0, seed_rate_)) * 0.5));
  tls_cost_ = TlsCost{.visitors = VisitorsMode(true, seed_.scenarios[0].connections),
                      .rate_rps = rate * seed_requests_per_iteration_};
  Say("cost of TLS: the seed's flows at " + Fixed(rate, 0) + " iterations/s for " +
      DescribeDuration(settings.step_ms) +
      " each: over HTTPS, as new HTTPS visitors, then over plain HTTP...");
  TlsCostSteps steps;
  steps.run = [&](const scenario::ScenarioFile& file,
                  const std::string& name) -> Result<StepFigures> {
    Result<StepFigures> figures =
        RunStep(file, rate, seed_requests_per_iteration_, settings, "tls-cost/" + name);
    if (!figures) return figures;
    const double cpu_ms = CpuMsPerThousand(*figures);
    Say("  " + name + ": " + DescribeStep(*figures) +
        (cpu_ms >= 0 ? ": " + Fixed(cpu_ms, 0) + " CPU-ms per 1000 requests" : std::string()));
    if (Status alive = CheckServer("the TLS cost steps"); !alive) {
      return tl::unexpected(alive.error());
    }
    return figures;
  };
  steps.restart_plain = [&]() -> Result<scenario::ScenarioFile> {
    Say("server: restarting without TLS on the same store, for the plain reference step...");
    Say("server: " + server_->Stop());
    server_.reset();
    if (Status started = StartServer(std::nullopt, "server-plain.log"); !started) {
      return tl::unexpected(started.error());
    }
    Result<scenario::ScenarioFile> plain =
        LoadSeedScenario(options_.scenario_path, token_, target_, options_.quick);
    if (!plain) return tl::unexpected(Fail(ErrorCode::kUnavailable, plain.error().message).error());
    for (size_t i = 0; i < plain->scenarios.size() && i < seed_.scenarios.size(); ++i) {
      plain->scenarios[i].connections = seed_.scenarios[i].connections;
    }
    return plain;
  };
  steps.stopping = [this] { return Stopping(); };
  return bench::MeasureTlsCost(seed_, steps, &*tls_cost_);
}

}  // namespace fourdollar::bench
