#include "bench/bench.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/process_stats.h"
#include "bench/bench_scenarios.h"
#include "bench/cgroup_limits.h"
#include "bench/cpu_plan.h"
#include "bench/headline.h"
#include "bench/limit_search.h"
#include "bench/seed_posts.h"
#include "bench/server_child.h"
#include "load/runner.h"
#include "net/event_loop.h"
#include "report/report.h"
#include "results/results_files.h"
#include "scenario/scenario_values.h"

namespace fourdollar::bench {

namespace {

constexpr int kMaxGeneratorThreads = 16;
constexpr int kSeedConnections = 8;

std::string SelfBinary() {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : path.string();
}

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// SIGINT or SIGTERM arrived while no load run was waiting for it (they stay blocked and
// pending until taken here).
bool TakeStopSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  timespec zero{0, 0};
  return sigtimedwait(&signals, nullptr, &zero) > 0;
}

// One bench from start to finish. What has been measured stays in the members, so that an
// interruption or a failure at any phase still ends with the server stopped and the results
// written.
class BenchRun {
 public:
  explicit BenchRun(const BenchOptions& options) : options_(options) {}

  BenchOutcome Run() {
    if (Status prepared = Prepare(); !prepared) return {.measured = prepared};
    Status measured = Measure();
    Finish();
    return {.measured = measured, .interrupted = interrupted_};
  }

 private:
  void Say(const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    log_ += line + "\n";
  }

  // kInvalidArgument for bad options, kUnavailable for a measurement that failed.
  Status Fail(ErrorCode code, const std::string& message) {
    log_ += "error: " + message + "\n";
    return MakeError(code, message);
  }

  bool Stopping() {
    if (!interrupted_ && TakeStopSignal()) {
      interrupted_ = true;
      Say("bench: stopping early; what was measured is kept");
    }
    return interrupted_;
  }

  // Checks the options and the scenario, and makes the results folder; nothing starts yet.
  Status Prepare() {
    out_dir_ = options_.out_dir.empty() ? load::DefaultResultsDir("bench-") : options_.out_dir;
    if (!options_.target.empty()) {
      Result<std::string> target = scenario::NormalizeTarget(options_.target);
      if (!target) return Fail(ErrorCode::kInvalidArgument, "--target: " + target.error().message);
      target_ = *target;
      const char* token = std::getenv("FOURDOLLAR_WRITE_TOKEN");
      if (token == nullptr || *token == '\0') {
        return Fail(ErrorCode::kInvalidArgument,
                    "--target: set FOURDOLLAR_WRITE_TOKEN to the server's write token (any "
                    "value for a server started with --open-writes)");
      }
      token_ = token;
    }
    // The file is checked before anything starts; the real token is put in once known.
    Result<scenario::ScenarioFile> check =
        LoadSeedScenario(options_.scenario_path, "checking",
                         target_.empty() ? "http://127.0.0.1:1" : target_, options_.quick);
    if (!check) return Fail(ErrorCode::kInvalidArgument, "--scenario: " + check.error().message);
    std::error_code ec;
    std::filesystem::create_directories(out_dir_, ec);
    if (ec) return Fail(ErrorCode::kInvalidArgument, "--out " + out_dir_ + ": " + ec.message());
    return {};
  }

  Status Measure() {
    if (Status started = target_.empty() ? StartLocalServer() : UseRemoteServer(); !started) {
      return started;
    }
    if (Stopping()) return {};
    if (Status seeded = SeedPosts(); !seeded) return seeded;
    if (Stopping()) return {};
    if (Status ran = RunSeedScenario(); !ran) return ran;
    if (options_.find_limit && !Stopping()) return SearchLimit();
    return {};
  }

  Status StartLocalServer() {
    Result<CpuPlan> plan = PlanCpus(AllowedCpus(), options_.cpus);
    if (!plan) return Fail(ErrorCode::kInvalidArgument, plan.error().message);
    where_ = std::to_string(options_.cpus) + (options_.cpus == 1 ? " CPU here" : " CPUs here");
    cgroup_ = std::make_unique<CgroupLimits>(
        CgroupLimits::Create({.cpus = options_.cpus,
                              .memory_bytes = options_.memory_bytes,
                              .name = "fourdollar-bench-" + std::to_string(::getpid())},
                             CgroupSystem::Current()));
    Say("server: CPUs " + DescribeCpus(plan->server_cpus) + " by affinity, " +
        std::to_string(options_.cpus) + " thread(s); " + cgroup_->cpu_description() + "; " +
        cgroup_->memory_description());
    Result<std::unique_ptr<ServerChild>> server =
        ServerChild::Start({.binary = SelfBinary(),
                            .data_dir = out_dir_ + "/server",
                            .threads = options_.cpus,
                            .cpus = plan->server_cpus,
                            .cgroup = cgroup_.get()});
    if (!server)
      return Fail(ErrorCode::kUnavailable, "starting the server: " + server.error().message);
    server_ = std::move(*server);
    for (const std::string& note : server_->notes()) Say("server: " + note);
    target_ = server_->ready().url();
    token_ = server_->token();
    generator_threads_ =
        std::min<int>(kMaxGeneratorThreads, static_cast<int>(plan->generator_cpus.size()));
    std::string generator = "generator: CPUs " + DescribeCpus(plan->generator_cpus) + ", " +
                            std::to_string(generator_threads_) + " thread(s)";
    if (Status pinned = PinTo(0, plan->generator_cpus); !pinned) {
      generator += " (not pinned: " + pinned.error().message + ")";
    }
    if (plan->shared) {
      generator += "; only " + std::to_string(plan->server_cpus.size()) +
                   " CPU(s) here, so the generator shares the server's CPUs and the results "
                   "are pessimistic";
    }
    Say("server: " + target_ + " (pid " + std::to_string(server_->pid()) + "), store " + out_dir_ +
        "/server/blog.db");
    Say(generator);
    return {};
  }

  Status UseRemoteServer() {
    where_ = target_;
    generator_threads_ = std::min(kMaxGeneratorThreads, AllowedCpuCount());
    Say("target: " + target_ + " (remote: --cpus and --memory do not apply; metrics from " +
        target_ + "/metrics)");
    Say("generator: " + std::to_string(generator_threads_) + " thread(s)");
    return {};
  }

  Status SeedPosts() {
    // A remote blog is someone's: it gets posts only when asked for.
    if (options_.posts == 0 || (server_ == nullptr && !options_.posts_given)) return {};
    Say("seeding " + std::to_string(options_.posts) + " posts...");
    const int64_t start_ns = MonotonicNowNs();
    Result<int> created = bench::SeedPosts({.target = target_,
                                            .token = token_,
                                            .posts = options_.posts,
                                            .connections = kSeedConnections});
    if (!created) return Fail(ErrorCode::kUnavailable, created.error().message);
    Say("seeded " + std::to_string(*created) + " posts in " +
        Fixed(static_cast<double>(MonotonicNowNs() - start_ns) / 1e9, 2) + " s");
    return {};
  }

  load::LoadOptions LoadOptionsFor(const std::string& dir) const {
    load::LoadOptions load;
    load.out_dir = dir;
    load.threads = generator_threads_;
    load.watch_pid = server_ ? server_->pid() : 0;
    load.scrape_url = target_ + "/metrics";
    load.terminal = options_.terminal;
    return load;
  }

  // One load run with its results written to `dir` (read back from there, as the report reads
  // them).
  Status RunLoadInto(const scenario::ScenarioFile& file, const std::string& dir) const {
    Result<load::LoadOutcome> outcome = load::RunLoad(file, LoadOptionsFor(dir));
    if (!outcome) return tl::unexpected(outcome.error());
    return outcome->written;
  }

  // After a run: whether the server still lives.
  Status CheckServer(const std::string& phase) {
    if (server_ == nullptr) return {};
    if (std::optional<std::string> ended = server_->ExitedByItself()) {
      std::string hint = options_.memory_bytes > 0 ? " (out of memory under --memory?)" : "";
      return Fail(ErrorCode::kUnavailable, "the server " + *ended + " during " + phase + hint +
                                               "; see " + out_dir_ + "/server/server.log");
    }
    return {};
  }

  Status RunSeedScenario() {
    Result<scenario::ScenarioFile> file =
        LoadSeedScenario(options_.scenario_path, token_, target_, options_.quick);
    if (!file) return Fail(ErrorCode::kUnavailable, file.error().message);
    seed_ = *file;
    const std::string dir = out_dir_ + "/seed";
    Say("seed scenario: " + file->path + ", " +
        DescribeDuration(file->execution.TotalDurationMs()) + "...");
    if (Status ran = RunLoadInto(*file, dir); !ran) {
      return Fail(ErrorCode::kUnavailable, "seed scenario: " + ran.error().message);
    }
    Result<results::Results> results = results::ReadResults(dir);
    if (!results) return Fail(ErrorCode::kUnavailable, "seed scenario: " + results.error().message);
    measured_.push_back(dir);
    if (results->run.interrupted) interrupted_ = true;
    seed_rate_ = EstimateIterationRate(*results, 0);
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
        Fixed(r.RatePerSecond(r.overall.requests), 0) + "/s on average, " +
        Fixed(seed_peak_rps_, 0) + "/s at the peak, p95 " + Fixed(seed_p95_ms_, 1) + " ms, " +
        std::to_string(r.overall.failed()) + " failed; thresholds " +
        (r.ThresholdsPassed() ? "passed" : "failed") +
        (r.run.generator_saturated ? "; the generator was saturated" : ""));
    return CheckServer("the seed scenario");
  }

  Status SearchLimit() {
    const LimitSettings settings = LimitSettingsFor(options_.quick);
    // No estimate when the seed scenario completed nothing: start low.
    const double estimate = seed_rate_ > 0 ? seed_rate_ : 100;
    Say("limit search: " + std::to_string(settings.max_steps) + " steps of " +
        DescribeDuration(settings.step_ms) + " at most, from " +
        Fixed(StepRates(estimate, settings).current(), 0) + " iterations/s, x" +
        Fixed(settings.growth, 2) + " each, until p95 > " + Fixed(settings.p95_bound_ms, 0) +
        " ms or failures > " + Fixed(settings.max_failed_fraction * 100, 0) + "%");
    StepRates rates(estimate, settings);
    for (bool more = true; more && !Stopping();) {
      const double rate = rates.current();
      const int number = rates.steps() + 1;
      Result<scenario::ScenarioFile> file = LimitStepScenario(seed_, rate, settings);
      if (!file) return Fail(ErrorCode::kUnavailable, file.error().message);
      char name[32];
      std::snprintf(name, sizeof name, "step-%02d", number);
      const std::string dir = out_dir_ + "/limit/" + name;
      Say("limit search: step " + std::to_string(number) + "/" +
          std::to_string(settings.max_steps) + ", " + Fixed(rate, 0) + " iterations/s for " +
          DescribeDuration(settings.step_ms) + "...");
      if (Status ran = RunLoadInto(*file, dir); !ran) {
        return Fail(ErrorCode::kUnavailable, "limit search: " + ran.error().message);
      }
      Result<results::Results> results = results::ReadResults(dir);
      if (!results)
        return Fail(ErrorCode::kUnavailable, "limit search: " + results.error().message);
      measured_.push_back(dir);
      StepOutcome step = JudgeStep(*results, rate, settings);
      steps_.push_back(step);
      if (step.interrupted) interrupted_ = true;
      more = rates.Advance(step);
      std::string verdict = step.passed        ? "held"
                            : step.interrupted ? "interrupted"
                                               : "broke (" + step.reason + ")";
      if (step.generator_saturated) verdict += "; the generator is saturated: stopping here";
      if (!step.passed && !step.interrupted && more) verdict += "; trying half the rate";
      Say("  " + Fixed(step.requests_per_second, 0) + " requests/s, p95 " + Fixed(step.p95_ms, 1) +
          " ms, " + Fixed(step.failed_fraction * 100, 2) + "% failed: " + verdict);
      if (Status alive = CheckServer("the limit search"); !alive) return alive;
    }
    return {};
  }

  // report.html: the limit search's steps as one run of rising load (where the knee shows),
  // or the seed scenario when there was no search; seed-report.html: the seed scenario.
  void WriteReports() {
    std::vector<std::string> steps(measured_.begin() + 1, measured_.end());
    const bool searched = !steps.empty();
    Result<report::ReportSummary> main = report::WriteReport(
        searched ? steps : std::vector<std::string>{measured_[0]}, out_dir_ + "/report.html");
    if (!main) {
      Say("report: not written: " + main.error().message);
    } else {
      Say("report: " + out_dir_ + "/report.html: " + main->headline);
      if (main->knee.found) report_knee_ = main->knee;
    }
    if (searched) {
      Result<report::ReportSummary> seed =
          report::WriteReport({measured_[0]}, out_dir_ + "/seed-report.html");
      if (!seed) Say("report: seed-report.html not written: " + seed.error().message);
    }
  }

  HeadlineFacts Facts() const {
    HeadlineFacts facts;
    facts.where = where_;
    // The report's knee (per second: the highest rate before p95 leaves its low-load level)
    // is the one its page shows; the steps' own verdicts stand in when it found none.
    if (report_knee_) {
      facts.kind = HeadlineFacts::Kind::kKnee;
      facts.requests_per_second = report_knee_->requests_per_second;
      facts.p95_ms = report_knee_->p95_ms;
      return facts;
    }
    if (steps_.empty()) {
      facts.kind = HeadlineFacts::Kind::kSeedPeakOnly;
      facts.requests_per_second = seed_peak_rps_;
      facts.p95_ms = seed_p95_ms_;
      return facts;
    }
    KneeEstimate knee = EstimateKnee(steps_);
    facts.kind = knee.found         ? HeadlineFacts::Kind::kKnee
                 : knee.below_first ? HeadlineFacts::Kind::kBelowFirst
                                    : HeadlineFacts::Kind::kNoKnee;
    facts.requests_per_second = knee.requests_per_second;
    facts.p95_ms = knee.p95_ms;
    facts.reason = knee.reason;
    return facts;
  }

  // Stops the server, takes a signal that came meanwhile, and writes what was measured.
  void Finish() {
    if (server_ != nullptr) {
      Say("server: stopping...");
      Say("server: " + server_->Stop());
      server_.reset();
    }
    cgroup_.reset();
    Stopping();
    if (!measured_.empty()) {
      Say("results: " + out_dir_);
      WriteReports();
      if (seed_peak_rps_ > 0 || !steps_.empty()) Say(FormatHeadline(Facts()));
      if (!steps_.empty() && steps_.back().generator_saturated) {
        Say("note: the load generator saturated its CPUs at the last step: the server's limit "
            "may be higher than this machine can show (the generator gets the CPUs beyond "
            "--cpus)");
      }
    }
    std::ofstream(out_dir_ + "/bench.txt") << log_;
  }

  const BenchOptions& options_;
  std::string out_dir_;
  std::string target_;
  std::string token_;
  std::string where_;
  int generator_threads_ = 1;
  std::unique_ptr<CgroupLimits> cgroup_;
  std::unique_ptr<ServerChild> server_;
  scenario::ScenarioFile seed_;
  double seed_rate_ = 0;
  double seed_peak_rps_ = 0;
  double seed_p95_ms_ = 0;
  std::vector<StepOutcome> steps_;
  std::vector<std::string> measured_;  // results folders: the seed scenario, then the steps
  std::optional<report::Knee> report_knee_;
  bool interrupted_ = false;
  std::string log_;
};

}  // namespace

BenchOutcome RunBench(const BenchOptions& options) {
  BenchRun run(options);
  return run.Run();
}

}  // namespace fourdollar::bench
