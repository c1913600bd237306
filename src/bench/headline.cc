#include "bench/headline.h"

#include <cmath>
#include <cstdio>

namespace fourdollar::bench {

namespace {

std::string Cpus(int cpus) { return cpus == 1 ? "1 CPU" : std::to_string(cpus) + " CPUs"; }

std::string Article() {
  return Printf(" The article's $4 VPS (Go + MongoDB): about %.0f requests/s.",
                kArticleRequestsPerSecond);
}

bool Measured(double cpu_percent) { return cpu_percent >= 0; }

// A wait for a CPU below this (percent) is not worth a word.
constexpr double kWaitWorthSaying = 5;

}  // namespace

long long RoundForReading(double value) {
  if (value <= 0) return 0;
  double digits = std::floor(std::log10(value)) + 1;
  double scale = std::pow(10.0, std::max(0.0, digits - 3));
  return std::max(1LL, std::llround(std::round(value / scale) * scale));
}

double CpuMsPerThousand(const StepFigures& step) {
  if (!Measured(step.server_cpu_percent) || step.achieved_rps <= 0) return -1;
  // percent of a core = 10 CPU-ms per second; per request, then per 1000 requests.
  return step.server_cpu_percent * 10.0 / step.achieved_rps * 1000.0;
}

SweepAnswer AnswerOf(const std::vector<StepFigures>& steps, int server_cpus) {
  SweepAnswer answer;
  for (const StepFigures& step : steps) {
    if (step.held && (!answer.held || step.offered_rate > answer.held->offered_rate)) {
      answer.held = step;
    }
  }
  for (const StepFigures& step : steps) {
    if (step.held || step.interrupted) continue;
    if (answer.held && step.offered_rate <= answer.held->offered_rate) continue;
    if (!answer.broke || step.offered_rate < answer.broke->offered_rate) answer.broke = step;
  }
  const double capacity = 100.0 * std::max(1, server_cpus);
  if (answer.broke) {
    // The side under more CPU pressure limited the step, when either was short of CPU.
    const double generator = GeneratorSaturated(*answer.broke)
                                 ? std::max(kFullCpuPercent, GeneratorCpuPressure(*answer.broke))
                                 : GeneratorCpuPressure(*answer.broke);
    const double server = ServerCpuPressure(*answer.broke, server_cpus);
    if (std::max(generator, server) < kShortOfCpuPercent) {
      answer.limit = Limit::kOther;
    } else {
      answer.limit = generator > server ? Limit::kGenerator : Limit::kServerCpu;
    }
  } else if (!steps.empty() && GeneratorSaturated(steps.back())) {
    // Busy, not busy and waiting: a server on one CPU waits for its own threads (the loop, the
    // writer) well before its CPU is full.
    const bool server_full = steps.back().held && steps.back().server_cpu_percent >=
                                                      kFullCpuPercent * std::max(1, server_cpus);
    answer.limit = server_full ? Limit::kServerAndGenerator : Limit::kGenerator;
    answer.ended = "the load generator was saturated";
  } else if (!steps.empty() && steps.back().interrupted) {
    answer.ended = "interrupted";
  } else {
    answer.ended = steps.empty() ? "no step ran" : "every step held";
  }
  if (answer.limit == Limit::kGenerator && answer.held && answer.held->server_cpu_percent > 0) {
    answer.server_estimate_rps =
        answer.held->HeldRps() / (answer.held->server_cpu_percent / capacity);
  }
  return answer;
}

std::string FormatHeadline(const std::string& where, const SweepAnswer& answer, int server_cpus) {
  std::string text = where + ": ";
  if (answer.held) {
    text += "holds " + RateText(answer.held->HeldRps()) + " requests/s at p95 " +
            Printf("%.1f", answer.held->p95_ms) + " ms; ";
  } else {
    text += "no step held; ";
  }
  if (answer.broke) {
    text +=
        "at " + RateText(answer.broke->offered_rps) + " it breaks (" + answer.broke->reason + ").";
  } else {
    text += "no step broke (" + answer.ended + ").";
  }
  const int cpus = std::max(1, server_cpus);
  const StepFigures* at = answer.broke ? &*answer.broke : answer.held ? &*answer.held : nullptr;
  // "61% busy", "30% busy, 45% waiting for a CPU".
  auto cpu = [](double busy, double waiting) {
    if (!Measured(busy)) return std::string("not measured");
    std::string said = Printf("%.0f%% busy", busy);
    if (waiting >= kWaitWorthSaying) said += Printf(", %.0f%% waiting for a CPU", waiting);
    return said;
  };
  switch (answer.limit) {
    case Limit::kGenerator:
      text += std::string(" Cause: the load generator ") +
              (at && !GeneratorSaturated(*at) ? "was short of CPU, shared with other work ("
                                              : "was saturated (") +
              (at ? cpu(at->generator_cpu_percent, at->generator_wait_percent) : "") +
              "), not the server";
      if (answer.held && answer.server_estimate_rps > 0) {
        text += Printf(
            "; the server used %.0f%% of %s at %s requests/s, so an estimate of its "
            "limit is %s requests/s (an estimate, not a measured knee)",
            answer.held->server_cpu_percent, Cpus(cpus).c_str(),
            RateText(answer.held->HeldRps()).c_str(), RateText(answer.server_estimate_rps).c_str());
      } else {
        text += "; the server's CPU was not measured";
      }
      text += ".";
      break;
    case Limit::kServerCpu: {
      // A server that used its CPUs fully waited for its own threads (the loop threads, the
      // writer), not for other work.
      const bool shared = at->server_wait_percent >= kWaitWorthSaying &&
                          at->server_cpu_percent < kFullCpuPercent * cpus;
      text += " Cause: the server's CPU (" + Cpus(cpus) + ": " +
              cpu(at->server_cpu_percent, at->server_wait_percent) +
              " at the break; the generator: " +
              cpu(at->generator_cpu_percent, at->generator_wait_percent) + ")" +
              (shared ? ", shared with other work on this machine." : ".");
      break;
    }
    case Limit::kServerAndGenerator:
      text += " Cause: both CPUs were full at the last step, the server's (" + Cpus(cpus) + ": " +
              cpu(at->server_cpu_percent, at->server_wait_percent) +
              ") and the load generator's (" +
              cpu(at->generator_cpu_percent, at->generator_wait_percent) +
              "): about the server's limit on this machine, with no faster step measured.";
      break;
    case Limit::kOther:
      text += " Cause: not CPU (the server" +
              (Measured(at->server_cpu_percent) ? ", " + Cpus(cpus) : std::string()) + ": " +
              cpu(at->server_cpu_percent, at->server_wait_percent) +
              "; the generator: " + cpu(at->generator_cpu_percent, at->generator_wait_percent) +
              "; at the break).";
      break;
    case Limit::kNone:
      break;
  }
  return text + Article();
}

std::string FormatSeedHeadline(const std::string& where, double peak_rps, double p95_ms) {
  return where + ": about " + RateText(peak_rps) + " requests/s at the seed scenario's peak, p95 " +
         Printf("%.1f", p95_ms) + " ms (no limit search)." + Article();
}

}  // namespace fourdollar::bench
