// `fourdollar bench`: the whole measurement in one command. Starts `fourdollar serve` on a
// fresh SQLite store confined to --cpus CPUs (affinity, and a cgroup CPU quota and memory limit
// where the kernel allows), seeds it with posts, runs the seed scenario (the article's test),
// then searches for the breaking point with rising constant arrival rates, writes the results
// and prints the headline next to the article's figure. See docs/bench.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "net/io_backend.h"
#include "scenario/scenario.h"

namespace fourdollar::bench {

// Built once from the command line, then read-only.
struct BenchOptions {
  int cpus = 1;               // the server's CPUs (the $4 VPS has one)
  uint64_t memory_bytes = 0;  // the server's memory limit; 0: none
  int posts = 1000;           // posts stored before the measurement
  bool posts_given = false;   // --posts on the command line (a remote target is seeded only then)
  std::string scenario_path;  // empty: the built-in scenarios/seed.yaml
  std::string target;         // a remote server instead of a local one; empty: local
  std::string scrape_node;    // a node_exporter's URL of the server's machine; empty: none
  bool find_limit = true;     // run the limit search after the seed scenario
  bool quick = false;         // everything shortened to under 30 s
  std::string out_dir;        // results folder; empty: results/bench-<UTC timestamp>
  bool terminal = false;      // stderr is a terminal: the load's live line is redrawn
  // --tls: the local server serves HTTPS with a throwaway ECDSA P-256 certificate made in the
  // results folder (tls/), and the TLS cost is measured after the rest.
  bool tls = false;
  // --visitors: how the seed scenario's users connect; unset: as the scenario says.
  std::optional<scenario::Connections> visitors;
  std::string tls_ca;         // --tls-ca: trust this CA for an https:// --target
  bool tls_insecure = false;  // --tls-insecure: verify nothing for an https:// --target
  // What the generator's and the local server's loops wait with, already chosen.
  net::IoBackend io_backend = net::IoBackend::kEpoll;
};

// How a bench ended.
struct BenchOutcome {
  // An error when the measurement failed: kInvalidArgument for bad options (then nothing
  // started), another code when the server did not start, seeding failed... The message is
  // also in the results folder's bench.txt once the measurement started.
  Status measured;
  // Stopped early by SIGINT or SIGTERM (what was measured until then is still written).
  bool interrupted = false;
};

// Runs the bench. Precondition (set up once in main, before any thread starts): SIGINT and
// SIGTERM blocked (a Ctrl-C is taken by the load run in progress or between phases), SIGPIPE
// ignored.
[[nodiscard]] BenchOutcome RunBench(const BenchOptions& options);

}  // namespace fourdollar::bench
