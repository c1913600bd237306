// One `fourdollar bench` from start to finish (RunBench in bench.h runs one), inside the bench
// module: the options checked, the server started (or a remote one used) and seeded, the seed
// scenario, the limit search and the cost steps, then the answer and the reports. bench.cc holds
// the phases, bench_server.cc the server and the load runs, bench_steps.cc the measurements.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/process_stats.h"
#include "bench/bench.h"
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

// "12.35" for (12.345, 2).
std::string Fixed(double value, int decimals);

// One bench from start to finish. What has been measured stays in the members, so that an
// interruption or a failure at any phase still ends with the server stopped and the results
// written.
class BenchRun {
 public:
  explicit BenchRun(const BenchOptions& options) : options_(options) {}
  BenchOutcome Run();

 private:
  void Say(const std::string& line);
  // kInvalidArgument for bad options, kUnavailable for a measurement that failed.
  Status Fail(ErrorCode code, const std::string& message);
  bool Stopping();

  // Checks the options and the scenario, and makes the results folder; nothing starts yet.
  Status Prepare();
  Status Measure();

  // The seed scenario (or a step's flows) as the bench's visitors connect, trusting the
  // server's certificate as the options say.
  void ApplyConnections(scenario::ScenarioFile& file) const;
  net::TlsClientOptions ClientTls() const;
  // Starts the server on out_dir_/server, over HTTPS with `tls` set; target_ and token_ follow.
  Status StartServer(const std::optional<net::CertificateFiles>& tls, const std::string& log_name);
  Status StartLocalServer();
  Status UseRemoteServer();
  Status SeedPosts();
  load::LoadOptions LoadOptionsFor(const std::string& dir) const;
  // One load run with its results written to `dir` (read back from there, as the report reads
  // them); its load threads' run delay in seconds (-1: unknown).
  Result<double> RunLoadInto(const scenario::ScenarioFile& file, const std::string& dir) const;
  // After a run: whether the server still lives.
  Status CheckServer(const std::string& phase);

  Status RunSeedScenario();
  Status SearchLimit();
  // One constant-rate step of `file`'s flows, written to out_dir_/relative, read back and
  // judged; `requests_per_iteration` 0: the step's own.
  Result<StepFigures> RunStep(const scenario::ScenarioFile& file, double rate,
                              double requests_per_iteration, const LimitSettings& settings,
                              const std::string& relative);
  std::string DescribeStep(const StepFigures& step) const;
  // What one request of each flow costs the server: each flow alone for one step, at half the
  // rate of the fastest step that held times the flow's share (at least a quarter of it).
  Status MeasureFlowCosts(const LimitSettings& settings);
  // What TLS costs the server: three steps at half the rate of the fastest step that held (or
  // of the seed scenario): the seed's flows over HTTPS as the visitors connect, then as new
  // visitors (a full handshake each iteration), then, after a restart without TLS on the same
  // store, over plain HTTP.
  Status MeasureTlsCost();
  // Against a remote https:// target, what the seed scenario's run shows of TLS instead.
  void ViewRemoteTls();

  int server_cpus() const { return server_ != nullptr || cgroup_ != nullptr ? options_.cpus : 0; }
  // report.html: the sweep (its steps and answer) or, without one, the seed scenario;
  // seed-report.html: the seed scenario.
  void WriteReports();
  // The answer, computed once: written to limit/sweep.json for the report, said last.
  std::string Answer();
  // Stops the server, takes a signal that came meanwhile, and writes what was measured.
  void Finish();

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
  std::optional<RemoteTlsView> remote_tls_;
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

}  // namespace fourdollar::bench
