// The bench's one answer, computed once from the steps of the sweep: the sentence printed on
// the terminal, written to bench.txt and shown by the report word for word, with its cause and
// the original article's $4 VPS (Go + MongoDB, about 1300 requests/s on one vCPU) beside it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/limit_search.h"
#include "bench/sentence.h"

namespace fourdollar::bench {

inline constexpr double kArticleRequestsPerSecond = 1300;

// What limited the sweep.
enum class Limit {
  kNone,       // no step broke
  kServerCpu,  // the server's CPUs were full at the break
  kGenerator,  // the load generator was saturated at the break (or at the last step)
  // No step broke, and at the last, which held, the load generator was saturated and the
  // server's CPUs were busy too (kFullCpuPercent): the held step is about the server's limit.
  kServerAndGenerator,
  kOther,  // a step broke with CPU to spare on both sides
};

struct SweepAnswer {
  std::optional<StepFigures> held;   // the fastest step that held
  std::optional<StepFigures> broke;  // the slowest step faster than `held` that broke
  Limit limit = Limit::kNone;
  std::string ended;  // when none broke: why the sweep ended
  // Generator-limited: requests/s at which the server's CPUs would be full, extrapolated from
  // the held step (rate / server CPU share); 0 when the server's CPU was not measured, and when
  // it was already full (kServerAndGenerator).
  double server_estimate_rps = 0;
};

// `server_cpus`: the server's CPUs (0: unknown, taken as 1 for the share).
SweepAnswer AnswerOf(const std::vector<StepFigures>& steps, int server_cpus);

// N is the held step's HeldRps, M the broken step's offered rate.
// "1 CPU here: holds 24100 requests/s at p95 3.2 ms; at 27600 it breaks (p95 180.2 ms). Cause:
// the server's CPU (97% of 1 CPU at the break; the generator 61%). The article's $4 VPS (Go +
// MongoDB): about 1300 requests/s."
std::string FormatHeadline(const std::string& where, const SweepAnswer& answer, int server_cpus);

// Without a sweep: the seed scenario's busiest second.
std::string FormatSeedHeadline(const std::string& where, double peak_rps, double p95_ms);

// Server CPU-milliseconds per 1000 requests at a step; negative when not measured.
double CpuMsPerThousand(const StepFigures& step);

}  // namespace fourdollar::bench
