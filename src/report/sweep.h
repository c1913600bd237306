// A sweep: the steps of `fourdollar bench`'s limit search, each a results folder of one
// constant arrival rate run one after the other (not segments of one test). The bench writes
// sweep.json beside the step folders (LIMIT_DIR/step-NN); the report reads it, so both show
// the same figures and the same headline, computed once. Pure functions but the file ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "results/results.h"

namespace fourdollar::report {

inline constexpr char kSweepFile[] = "sweep.json";

// One step's figures, from its steady part only: the seconds from `skip_seconds` up to the
// step's nominal end (the first second ramps up, the seconds after the stop drain).
struct StepFigures {
  std::string dir;          // the step's folder name, relative to the sweep's folder
  double offered_rate = 0;  // iterations per second asked
  double offered_rps = 0;   // requests per second asked (offered_rate x requests/iteration)
  double achieved_rps = 0;  // requests completed per steady second
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
  uint64_t requests = 0;  // in the steady part
  uint64_t failed = 0;
  uint64_t iterations = 0;
  uint64_t dropped_iterations = 0;
  int steady_seconds = 0;
  double server_cpu_percent = -1;     // mean, percent of one core; -1: not measured
  double generator_cpu_percent = -1;  // mean, percent of the generator's threads; -1: not measured
  // Percent of the same capacities spent ready to run but waiting for a CPU taken by other
  // work, over the whole step; -1: not measured.
  double server_wait_percent = -1;
  double generator_wait_percent = -1;
  // The generator's mean over the steady seconds above results::kGeneratorSaturatedPercent.
  bool generator_saturated = false;
  bool interrupted = false;
  bool held = false;
  std::string reason;  // why it broke: "p95 312 ms", "2.1% failures", "530 dropped iterations"
  uint64_t tls_full_handshakes = 0;  // in the steady part
  uint64_t tls_resumed_handshakes = 0;

  double FailedFraction() const;
  // The rate the step held: achieved, but not above what was offered (a step that catches up
  // on its first second's backlog completes a little more than it was asked per second).
  double HeldRps() const;
};

// The figures of `results` between second `skip_seconds` and second step_ms / 1000 (exclusive).
// Server CPU comes from the watched process or, for a remote server, from the growth of its
// scraped process_cpu_seconds_total.
StepFigures SteadyFigures(const results::Results& results, double offered_rate,
                          double requests_per_iteration, int64_t step_ms, int skip_seconds);

// `results` with only the rows of its steady part (totals recomputed); the report draws these.
results::Results SteadyPart(results::Results results, int64_t step_ms, int skip_seconds);

struct Sweep {
  int64_t step_ms = 0;
  int skip_seconds = 1;
  int server_cpus = 0;  // 0: unknown (a remote server)
  std::vector<StepFigures> steps;
  std::string headline;              // the bench's one answer, word for word
  std::vector<std::string> meaning;  // "What this means", one sentence a line
};

Status WriteSweep(const Sweep& sweep, const std::string& dir);
// Whether `dir` holds a sweep.json.
bool IsSweepFolder(const std::string& dir);
// Errors name the file and the field.
Result<Sweep> ReadSweep(const std::string& dir);

}  // namespace fourdollar::report
