// BenchRun: the server (local or remote), seeding it, and the load runs (bench_run.h).
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

#include "base/cpus.h"
#include "bench/bench_run.h"

namespace fourdollar::bench {

namespace {

constexpr int kMaxGeneratorThreads = 16;
constexpr int kSeedConnections = 8;

std::string SelfBinary() {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : path.string();
}

}  // namespace

// The seed scenario (or a step's flows) as the bench's visitors connect, trusting the
// server's certificate as the options say.
void BenchRun::ApplyConnections(scenario::ScenarioFile& file) const {
  if (options_.visitors) {
    for (scenario::Scenario& flow : file.scenarios) flow.connections = *options_.visitors;
  }
  if (!file.target.starts_with("https://")) return;
  if (!ca_file_.empty()) file.tls = {.ca = ca_file_};
  if (!options_.tls_ca.empty()) file.tls = {.ca = options_.tls_ca};
  if (options_.tls_insecure) file.tls = {.insecure = true};
}

net::TlsClientOptions BenchRun::ClientTls() const {
  if (!ca_file_.empty()) return {.ca_file = ca_file_};
  return {.ca_file = options_.tls_ca, .insecure = options_.tls_insecure};
}

// Starts the server on out_dir_/server, over HTTPS with `tls` set; target_ and token_ follow.
Status BenchRun::StartServer(const std::optional<net::CertificateFiles>& tls,
                             const std::string& log_name) {
  Result<std::unique_ptr<ServerChild>> server =
      ServerChild::Start({.binary = SelfBinary(),
                          .data_dir = out_dir_ + "/server",
                          .threads = options_.cpus,
                          .cpus = server_cpu_list_,
                          .cgroup = cgroup_.get(),
                          .tls_cert = tls ? tls->cert : std::string(),
                          .tls_key = tls ? tls->key : std::string(),
                          .log_name = log_name,
                          .io_backend = options_.io_backend});
  if (!server)
    return Fail(ErrorCode::kUnavailable, "starting the server: " + server.error().message);
  server_ = std::move(*server);
  for (const std::string& note : server_->notes()) Say("server: " + note);
  target_ = server_->ready().url();
  token_ = server_->token();
  return {};
}

Status BenchRun::StartLocalServer() {
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

Status BenchRun::UseRemoteServer() {
  where_ = target_;
  generator_threads_ = std::min(kMaxGeneratorThreads, AllowedCpuCount());
  Say("target: " + target_ + " (remote: --cpus and --memory do not apply; metrics from " + target_ +
      "/metrics)");
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

Status BenchRun::SeedPosts() {
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

load::LoadOptions BenchRun::LoadOptionsFor(const std::string& dir) const {
  load::LoadOptions load;
  load.out_dir = dir;
  load.threads = generator_threads_;
  load.watch_pid = server_ ? server_->pid() : 0;
  load.scrape_url = target_ + "/metrics";
  if (!options_.scrape_node.empty()) load.scrape_url += "," + options_.scrape_node;
  load.terminal = options_.terminal;
  load.io_backend = options_.io_backend;
  return load;
}

// One load run with its results written to `dir` (read back from there, as the report reads
// them).
Result<double> BenchRun::RunLoadInto(const scenario::ScenarioFile& file,
                                     const std::string& dir) const {
  Result<load::LoadOutcome> outcome = load::RunLoad(file, LoadOptionsFor(dir));
  if (!outcome) return tl::unexpected(outcome.error());
  if (!outcome->written) return tl::unexpected(outcome->written.error());
  return outcome->threads_wait_seconds;
}

// After a run: whether the server still lives.
Status BenchRun::CheckServer(const std::string& phase) {
  if (server_ == nullptr) return {};
  if (std::optional<std::string> ended = server_->ExitedByItself()) {
    std::string hint = options_.memory_bytes > 0 ? " (out of memory under --memory?)" : "";
    return Fail(ErrorCode::kUnavailable, "the server " + *ended + " during " + phase + hint +
                                             "; see " + out_dir_ + "/server/server.log");
  }
  return {};
}

}  // namespace fourdollar::bench
