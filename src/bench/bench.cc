#include "bench/bench.h"

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

#include "base/clock.h"
#include "base/process_stats.h"
#include "bench/bench_scenarios.h"
#include "bench/cgroup_limits.h"
#include "bench/cpu_plan.h"
#include "bench/cpu_wait.h"
#include "bench/headline.h"
#include "bench/limit_search.h"
#include "bench/meaning.h"
#include "bench/seed_posts.h"
#include "bench/server_child.h"
#include "bench/tls_cost.h"
#include "load/runner.h"
#include "net/event_loop.h"
#include "report/report.h"
#include "report/sweep.h"
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
    if (options_.tls && !target_.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--tls makes the certificate of a local server; for an https:// --target give "
                  "--tls-ca FILE or --tls-insecure instead");
    }
    if ((!options_.tls_ca.empty() || options_.tls_insecure) && !target_.starts_with("https://")) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--tls-ca and --tls-insecure apply to an https:// --target only");
    }
    if (!options_.tls_ca.empty() && options_.tls_insecure) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--tls-ca and --tls-insecure: give one (a CA to trust, or no verification)");
    }
    // The file is checked before anything starts; the real token is put in once known.
    Result<scenario::ScenarioFile> check =
        LoadSeedScenario(options_.scenario_path, "checking",
                         target_.empty() ? "http://127.0.0.1:1" : target_, options_.quick);
    if (!check) return Fail(ErrorCode::kInvalidArgument, "--scenario: " + check.error().message);
    if (check->scenarios.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "--scenario: " + check->path + " has no scenario");
    }
    if (!options_.scrape_node.empty()) {
      if (!options_.scrape_node.starts_with("http://") ||
          options_.scrape_node.find(',') != std::string::npos) {
        return Fail(ErrorCode::kInvalidArgument,
                    "--scrape-node " + options_.scrape_node +
                        ": give one http:// URL of a node_exporter (http://HOST:9100/metrics)");
      }
      Say("node: " + options_.scrape_node +
          " read each second (CPU by mode, memory, disk, network)");
    }
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
    if (options_.find_limit && !Stopping()) {
      if (Status searched = SearchLimit(); !searched) return searched;
    }
    if (options_.tls && server_ != nullptr && !Stopping()) return MeasureTlsCost();
    return {};
  }

  // The seed scenario (or a step's flows) as the bench's visitors connect, trusting the
  // server's certificate as the options say.
  void ApplyConnections(scenario::ScenarioFile& file) const {
    if (options_.visitors) {
      for (scenario::Scenario& flow : file.scenarios) flow.connections = *options_.visitors;
    }
    if (!file.target.starts_with("https://")) return;
    if (!ca_file_.empty()) file.tls = {.ca = ca_file_};
    if (!options_.tls_ca.empty()) file.tls = {.ca = options_.tls_ca};
    if (options_.tls_insecure) file.tls = {.insecure = true};
  }

  net::TlsClientOptions ClientTls() const {
    if (!ca_file_.empty()) return {.ca_file = ca_file_};
    return {.ca_file = options_.tls_ca, .insecure = options_.tls_insecure};
  }

  // Starts the server on out_dir_/server, over HTTPS with `tls` set; target_ and token_ follow.
  Status StartServer(const std::optional<net::CertificateFiles>& tls, const std::string& log_name) {
    Result<std::unique_ptr<ServerChild>> server =
        ServerChild::Start({.binary = SelfBinary(),
                            .data_dir = out_dir_ + "/server",
                            .threads = options_.cpus,
                            .cpus = server_cpu_list_,
                            .cgroup = cgroup_.get(),
                            .tls_cert = tls ? tls->cert : std::string(),
                            .tls_key = tls ? tls->key : std::string(),
                            .log_name = log_name});
    if (!server)
      return Fail(ErrorCode::kUnavailable, "starting the server: " + server.error().message);
    server_ = std::move(*server);
    for (const std::string& note : server_->notes()) Say("server: " + note);
    target_ = server_->ready().url();
    token_ = server_->token();
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
    server_cpu_list_ = plan->server_cpus;
    std::optional<net::CertificateFiles> certificate;
    if (options_.tls) {
      Result<ThrowawayCertificate> made = MakeThrowawayCertificate(out_dir_ + "/tls");
      if (!made) return Fail(ErrorCode::kIo, "--tls: " + made.error().message);
      certificate = made->files;
      ca_file_ = made->ca_file;
      Say("tls: throwaway ECDSA P-256 certificate for 127.0.0.1 and localhost, valid 7 days: " +
          made->files.cert + " (key " + made->files.key + "), signed by the CA " + ca_file_ +
          " that the generator trusts");
    }
    if (Status started = StartServer(certificate, "server.log"); !started) return started;
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
    if (target_.starts_with("https://")) {
      Say(std::string("tls: ") +
          (options_.tls_insecure ? "the server's certificate is NOT verified (--tls-insecure)"
           : options_.tls_ca.empty()
               ? "the server's certificate is verified against the system's CAs"
               : "the server's certificate is verified against the CA in " + options_.tls_ca));
    }
    return {};
  }

  Status SeedPosts() {
    // A remote blog is someone's: it gets posts only when asked for.
    if (options_.posts == 0 || (server_ == nullptr && !options_.posts_given)) return {};
    Say("seeding " + std::to_string(options_.posts) + " posts...");
    const int64_t start_ns = MonotonicNowNs();
    Result<int> created = bench::SeedPosts({.target = target_,
                                            .token = token_,
                                            .tls = ClientTls(),
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
    if (!options_.scrape_node.empty()) load.scrape_url += "," + options_.scrape_node;
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
    ApplyConnections(*file);
    seed_ = *file;
    const std::string mode =
        VisitorsMode(target_.starts_with("https://"), seed_.scenarios[0].connections);
    where_ += ", " + mode;
    Say("visitors: " + mode);
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
      Say("limit search: step " + std::to_string(number) + ", " + Fixed(rate, 0) +
          " iterations/s (" + Fixed(rate * seed_requests_per_iteration_, 0) + " requests/s) for " +
          DescribeDuration(settings.step_ms) + (rates.bisecting() ? ", bisecting" : "") + "...");
      Result<StepFigures> figures = RunStep(seed_, rate, seed_requests_per_iteration_, settings,
                                            "limit/" + std::string(name));
      if (!figures) return tl::unexpected(figures.error());
      const StepFigures& step = *figures;
      steps_.push_back(step);
      if (step.interrupted) interrupted_ = true;
      more = rates.Advance(step);
      std::string verdict = step.held          ? "held"
                            : step.interrupted ? "interrupted"
                                               : "broke (" + step.reason + ")";
      if (step.generator_saturated) verdict += "; the generator is saturated: stopping here";
      Say("  " + DescribeStep(step) + ": " + verdict);
      if (Status alive = CheckServer("the limit search"); !alive) return alive;
    }
    return MeasureFlowCosts(settings);
  }

  // One constant-rate step of `file`'s flows, written to out_dir_/relative, read back and
  // judged; `requests_per_iteration` 0: the step's own.
  Result<StepFigures> RunStep(const scenario::ScenarioFile& file, double rate,
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
    if (Status ran = RunLoadInto(*step, dir); !ran) return failed(ran.error().message);
    const double load_seconds = static_cast<double>(settings.step_ms) / 1000.0;
    const double server_waited = server_ != nullptr ? server_wait.Percent(1, load_seconds) : -1;
    const double generator_waited = generator_wait.Percent(generator_threads_, load_seconds);
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

  std::string DescribeStep(const StepFigures& step) const {
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
  Status MeasureFlowCosts(const LimitSettings& settings) {
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
  Status MeasureTlsCost() {
    const LimitSettings settings = LimitSettingsFor(options_.quick);
    const SweepAnswer answer = AnswerOf(steps_, server_cpus());
    const double rate = std::max(
        1.0,
        std::round((answer.held ? answer.held->offered_rate : std::max(2.0, seed_rate_)) * 0.5));
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
      if (!plain)
        return tl::unexpected(Fail(ErrorCode::kUnavailable, plain.error().message).error());
      for (size_t i = 0; i < plain->scenarios.size() && i < seed_.scenarios.size(); ++i) {
        plain->scenarios[i].connections = seed_.scenarios[i].connections;
      }
      return plain;
    };
    steps.stopping = [this] { return Stopping(); };
    return bench::MeasureTlsCost(seed_, steps, &*tls_cost_);
  }

  int server_cpus() const { return server_ != nullptr || cgroup_ != nullptr ? options_.cpus : 0; }

  // report.html: the sweep (its steps and answer) or, without one, the seed scenario;
  // seed-report.html: the seed scenario.
  void WriteReports() {
    const bool searched = !steps_.empty();
    Result<report::ReportSummary> main = report::WriteReport(
        {searched ? out_dir_ + "/limit" : measured_[0]}, out_dir_ + "/report.html");
    if (!main) {
      Say("report: not written: " + main.error().message);
    } else {
      Say("report: " + out_dir_ + "/report.html");
    }
    if (searched) {
      Result<report::ReportSummary> seed =
          report::WriteReport({measured_[0]}, out_dir_ + "/seed-report.html");
      if (!seed) Say("report: seed-report.html not written: " + seed.error().message);
    }
  }

  // The answer, computed once: written to limit/sweep.json for the report, said last.
  std::string Answer() {
    const std::string tls = tls_cost_ ? FormatTlsCost(*tls_cost_) : std::string();
    if (steps_.empty()) return FormatSeedHeadline(where_, seed_peak_rps_, seed_p95_ms_) + tls;
    const SweepAnswer answer = AnswerOf(steps_, server_cpus_);
    report::Sweep sweep;
    const LimitSettings settings = LimitSettingsFor(options_.quick);
    sweep.step_ms = settings.step_ms;
    sweep.skip_seconds = settings.skip_seconds;
    sweep.server_cpus = server_cpus_;
    sweep.steps = steps_;
    sweep.headline = FormatHeadline(where_, answer, server_cpus_) + tls;
    sweep.meaning = Meaning(answer, server_cpus_, costs_);
    if (tls_cost_) sweep.meaning.push_back(tls.substr(1));
    if (Status written = report::WriteSweep(sweep, out_dir_ + "/limit"); !written) {
      Say("report: " + written.error().message);
    }
    Say("What this means:");
    for (const std::string& line : sweep.meaning) Say("  " + line);
    return sweep.headline;
  }

  // Stops the server, takes a signal that came meanwhile, and writes what was measured.
  void Finish() {
    server_cpus_ = server_cpus();
    if (server_ != nullptr) {
      Say("server: stopping...");
      Say("server: " + server_->Stop());
      server_.reset();
    }
    cgroup_.reset();
    Stopping();
    if (!measured_.empty()) {
      Say("results: " + out_dir_);
      const std::string headline = seed_peak_rps_ > 0 || !steps_.empty() ? Answer() : std::string();
      WriteReports();
      if (!headline.empty()) Say(headline);
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
  std::vector<int> server_cpu_list_;  // the server's affinity
  std::string ca_file_;               // --tls: the CA of the throwaway certificate
  std::optional<TlsCost> tls_cost_;
  scenario::ScenarioFile seed_;
  double seed_rate_ = 0;
  double seed_peak_rps_ = 0;
  double seed_p95_ms_ = 0;
  double seed_requests_per_iteration_ = 1;
  int server_cpus_ = 0;  // kept when the server stops
  std::vector<StepFigures> steps_;
  std::vector<FlowCost> costs_;
  std::vector<std::string> measured_;  // results folders: the seed scenario, then the steps
  bool interrupted_ = false;
  std::string log_;
};

}  // namespace

BenchOutcome RunBench(const BenchOptions& options) {
  BenchRun run(options);
  return run.Run();
}

}  // namespace fourdollar::bench
