// fourdollar-hostile: runs one kind of hostile client against a server for a bounded time and
// prints what it did as one line. A test and benchmark tool, not part of the product binary.
//   fourdollar-hostile --target 127.0.0.1:8080 --mode idle --duration-ms 20000
//   fourdollar-hostile --target 127.0.0.1:8443 --tls-ca ca.crt --mode slow-drip
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "hostile/hostile_clients.h"

int main(int argc, char** argv) {
  using namespace fourdollar;
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "Hostile HTTP clients for a bounded time: slow-drip, idle, flood, pipeline, half, reset"};
  std::string target;
  std::string mode_name;
  hostile::HostileOptions options;
  app.add_option("--target", target, "HOST:PORT of the server")->required();
  app.add_option("--mode", mode_name, "slow-drip, idle, flood, pipeline, half or reset")
      ->required();
  app.add_option("--duration-ms", options.duration_ms, "how long the run lasts")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  app.add_option("--connections", options.connections,
                 "connections held or cycling at once (0: the mode's default)")
      ->check(CLI::Range(size_t{0}, size_t{100'000}));
  app.add_option("--connects-in-flight", options.max_connects_in_flight,
                 "connects in progress at once")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--drip-interval-ms", options.drip_interval_ms, "slow-drip: ms between bytes")
      ->check(CLI::Range(int64_t{1}, int64_t{60'000}));
  app.add_option("--pipeline-depth", options.pipeline_depth, "pipeline: requests per write")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--pipeline-read-bytes-per-s", options.pipeline_read_bytes_per_s,
                 "pipeline: how fast the reading half reads");
  app.add_option("--reconnect-delay-ms", options.reconnect_delay_ms,
                 "wait before replacing a connection the server closed")
      ->check(CLI::Range(int64_t{0}, int64_t{60'000}));
  app.add_option("--path", options.path, "target of the GET requests");
  app.add_option("--write-token", options.write_token,
                 "lets cut and reset POST requests reach their body");
  std::string tls_ca;
  bool tls_insecure = false;
  app.add_option("--tls-ca", tls_ca, "speak TLS, trusting this CA (PEM)");
  app.add_flag("--tls-insecure", tls_insecure, "speak TLS without verifying the certificate");
  app.add_option("--server-name", options.server_name, "TLS: SNI and the name verified");
  CLI11_PARSE(app, argc, argv);

  if (!tls_ca.empty() || tls_insecure) {
    auto context = net::TlsContext::ForClient({.ca_file = tls_ca, .insecure = tls_insecure});
    if (!context) {
      std::fprintf(stderr, "fourdollar-hostile: --tls-ca: %s\n", context.error().message.c_str());
      return 2;
    }
    options.tls = std::move(*context);
  }

  Result<hostile::Mode> mode = hostile::ParseMode(mode_name);
  if (!mode) {
    std::fprintf(stderr, "fourdollar-hostile: --mode: %s\n", mode.error().message.c_str());
    return 2;
  }
  options.mode = *mode;
  Result<net::Endpoint> endpoint = net::ParseEndpoint(target);
  if (!endpoint) {
    std::fprintf(stderr, "fourdollar-hostile: --target: %s\n", endpoint.error().message.c_str());
    return 2;
  }
  options.target = *endpoint;
  Result<hostile::HostileReport> report = hostile::RunHostile(options);
  if (!report) {
    std::fprintf(stderr, "fourdollar-hostile: %s\n", report.error().message.c_str());
    return 1;
  }
  std::printf("hostile: %s\n", report->ToString().c_str());
  return 0;
}
