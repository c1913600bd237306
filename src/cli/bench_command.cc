#include "cli/bench_command.h"

#include <unistd.h>

#include <cstdio>

#include "bench/byte_size.h"

namespace fourdollar::cli {

void AddBenchCommand(CLI::App& app, BenchConfig& config) {
  bench::BenchOptions& options = config.options;
  CLI::App* bench = app.add_subcommand(
      "bench",
      "Measure this machine: serve on --cpus CPUs, the article's test, the breaking point");
  bench->add_option("--cpus", options.cpus, "CPUs for the server (the $4 VPS has 1)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  bench->add_option("--memory", config.memory,
                    "Memory limit for the server, e.g. 512M or 1G (cgroup; default none)");
  config.posts_option =
      bench->add_option("--posts", options.posts, "Posts stored before the measurement")
          ->check(CLI::Range(0, 10'000'000))
          ->capture_default_str();
  bench
      ->add_option("--scenario", options.scenario_path,
                   "Scenario file instead of the built-in scenarios/seed.yaml")
      ->check(CLI::ExistingFile);
  bench->add_option("--target", options.target,
                    "Test this server (http://HOST:PORT or https://HOST:PORT) instead of starting "
                    "one; the write token comes from FOURDOLLAR_WRITE_TOKEN");
  bench->add_flag("--tls", options.tls,
                  "Serve and measure over HTTPS, with a throwaway ECDSA P-256 certificate made in "
                  "the results folder; also measures what TLS costs the server");
  bench
      ->add_option("--visitors", config.visitors,
                   "How the seed scenario's users connect: keep-alive (one connection each), new "
                   "(a new connection and full TLS handshake each iteration) or returning (a new "
                   "connection, the TLS session resumed); default: as the scenario says")
      ->check(CLI::IsMember({"keep-alive", "new", "returning"}));
  bench
      ->add_option("--tls-ca", options.tls_ca,
                   "PEM file of the CA to trust for an https:// --target (default: the system's)")
      ->check(CLI::ExistingFile);
  bench->add_flag("--tls-insecure", options.tls_insecure,
                  "Do not verify the certificate of an https:// --target (said in the output)");
  bench->add_option("--scrape-node", options.scrape_node,
                    "Also read this Prometheus node_exporter (http://HOST:9100/metrics) of the "
                    "server's machine each second: CPU by mode with steal, memory, disk, network");
  bench->add_flag("--find-limit,!--no-find-limit", options.find_limit,
                  "Search for the breaking point after the seed scenario (default on)");
  AddIoBackendOption(*bench, config.io_backend);
  bench->add_flag("--quick", options.quick, "Everything shortened (under a minute)");
  bench->add_option("--out", options.out_dir,
                    "Results folder (default results/bench-<UTC timestamp>)");
}

int RunBenchCommand(BenchConfig& config) {
  if (!config.memory.empty()) {
    Result<uint64_t> bytes = bench::ParseByteSize(config.memory);
    if (!bytes) {
      std::fprintf(stderr, "fourdollar bench: --memory %s\n", bytes.error().message.c_str());
      return 2;
    }
    config.options.memory_bytes = *bytes;
  }
  if (config.visitors == "keep-alive") {
    config.options.visitors = scenario::Connections::kKeepAlive;
  } else if (config.visitors == "new") {
    config.options.visitors = scenario::Connections::kPerIteration;
  } else if (config.visitors == "returning") {
    config.options.visitors = scenario::Connections::kPerIterationResumed;
  }
  config.options.posts_given = config.posts_option != nullptr && config.posts_option->count() > 0;
  config.options.terminal = isatty(STDERR_FILENO) != 0;
  config.options.io_backend = ChooseAndLogIoBackend(config.io_backend).backend;
  // 0 when measured, 1 when the measurement failed, 2 for bad options, 130 after Ctrl-C or
  // SIGTERM (what was measured until then is still written).
  bench::BenchOutcome outcome = bench::RunBench(config.options);
  if (!outcome.measured) {
    std::fprintf(stderr, "fourdollar bench: %s\n", outcome.measured.error().message.c_str());
  }
  if (outcome.interrupted) return 130;
  if (!outcome.measured) {
    return outcome.measured.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}

}  // namespace fourdollar::cli
