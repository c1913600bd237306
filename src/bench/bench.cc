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

#include "bench/bench_run.h"

namespace fourdollar::bench {

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

namespace {

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

}  // namespace

BenchOutcome BenchRun::Run() {
  if (Status prepared = Prepare(); !prepared) return {.measured = prepared};
  Status measured = Measure();
  Finish();
  return {.measured = measured, .interrupted = interrupted_};
}

void BenchRun::Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  log_ += line + "\n";
}

// kInvalidArgument for bad options, kUnavailable for a measurement that failed.
Status BenchRun::Fail(ErrorCode code, const std::string& message) {
  log_ += "error: " + message + "\n";
  return MakeError(code, message);
}

bool BenchRun::Stopping() {
  if (!interrupted_ && TakeStopSignal()) {
    interrupted_ = true;
    Say("bench: stopping early; what was measured is kept");
  }
  return interrupted_;
}

// Checks the options and the scenario, and makes the results folder; nothing starts yet.
Status BenchRun::Prepare() {
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
    Say("node: " + options_.scrape_node + " read each second (CPU by mode, memory, disk, network)");
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir_, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "--out " + out_dir_ + ": " + ec.message());
  return {};
}

Status BenchRun::Measure() {
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
  if (server_ == nullptr && target_.starts_with("https://")) ViewRemoteTls();
  return {};
}

// report.html: the sweep (its steps and answer) or, without one, the seed scenario;
// seed-report.html: the seed scenario.
void BenchRun::WriteReports() {
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
std::string BenchRun::Answer() {
  const std::string tls = tls_cost_     ? FormatTlsCost(*tls_cost_)
                          : remote_tls_ ? FormatRemoteTls(*remote_tls_)
                                        : std::string();
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
  if (!tls.empty()) sweep.meaning.push_back(tls.substr(1));
  if (Status written = report::WriteSweep(sweep, out_dir_ + "/limit"); !written) {
    Say("report: " + written.error().message);
  }
  Say("What this means:");
  for (const std::string& line : sweep.meaning) Say("  " + line);
  return sweep.headline;
}

// Stops the server, takes a signal that came meanwhile, and writes what was measured.
void BenchRun::Finish() {
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

BenchOutcome RunBench(const BenchOptions& options) {
  BenchRun run(options);
  return run.Run();
}

}  // namespace fourdollar::bench
