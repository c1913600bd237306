#include "bench/meaning.h"

#include <cstdio>

namespace fourdollar::bench {

namespace {

// 2.07e9 -> "2.07 billion", 5.2e6 -> "5.2 million".
std::string Large(double value) {
  if (value >= 1e9) return Printf("%.3g billion", value / 1e9);
  if (value >= 1e6) return Printf("%.3g million", value / 1e6);
  return Printf("%.0f", value);
}

}  // namespace

std::vector<std::string> Meaning(const SweepAnswer& answer, int server_cpus,
                                 const std::vector<FlowCost>& costs) {
  std::vector<std::string> lines;
  const int cpus = std::max(1, server_cpus);
  if (!answer.held) {
    lines.push_back("Capacity: no step held, so there is no capacity to state.");
  } else {
    const double rps = answer.held->HeldRps();
    lines.push_back("Capacity: " + RateText(rps) + " requests/s at p95 " +
                    Printf("%.1f", answer.held->p95_ms) + " ms, about " + Large(rps * 86400) +
                    " requests a day.");
    lines.push_back(
        Printf("The article's $4 VPS (Go + MongoDB): about %.0f requests/s; this is "
               "%.1f times that.",
               kArticleRequestsPerSecond, rps / kArticleRequestsPerSecond));
    const double cost = CpuMsPerThousand(*answer.held);
    if (cost >= 0) {
      lines.push_back(
          Printf("Server CPU: %.0f CPU-milliseconds per 1000 requests (%.0f%% of "
                 "%d CPU(s) at %s requests/s).",
                 cost, answer.held->server_cpu_percent, cpus, RateText(rps).c_str()));
    } else {
      lines.push_back(
          "Server CPU: not measured (a remote server without "
          "process_cpu_seconds_total in its /metrics).");
    }
  }
  const FlowCost* write = nullptr;
  const FlowCost* read = nullptr;
  for (const FlowCost& cost : costs) {
    if (cost.cpu_ms_per_thousand <= 0) continue;
    if (cost.writes && write == nullptr) write = &cost;
    if (!cost.writes && read == nullptr) read = &cost;
  }
  if (write != nullptr && read != nullptr) {
    lines.push_back(
        Printf("One post costs about %.1f times one read in server CPU (%s: %.0f, "
               "%s: %.0f CPU-milliseconds per 1000 requests, each flow measured "
               "alone).",
               write->cpu_ms_per_thousand / read->cpu_ms_per_thousand, write->flow.c_str(),
               write->cpu_ms_per_thousand, read->flow.c_str(), read->cpu_ms_per_thousand));
  } else if (!costs.empty()) {
    lines.push_back(
        "One post against one read: not measured (the scenario needs a flow that "
        "writes and one that only reads, and the server's CPU).");
  }
  switch (answer.limit) {
    case Limit::kServerCpu:
      lines.push_back("Limiting resource: the server's CPU.");
      break;
    case Limit::kGenerator:
      lines.push_back(
          "Limiting resource: the load generator's CPU on this machine, not the server; "
          "the server's limit is higher than measured here" +
          (answer.server_estimate_rps > 0
               ? " (estimated " + RateText(answer.server_estimate_rps) + " requests/s)."
               : std::string(".")));
      break;
    case Limit::kServerAndGenerator:
      lines.push_back(
          "Limiting resource: the server's CPU, full at the last step; the load generator's "
          "was full too, so no faster step was measured (a generator on another machine, "
          "--target, would find the knee).");
      break;
    case Limit::kOther:
      lines.push_back(
          "Limiting resource: not CPU: both had CPU to spare at the break, so "
          "latency rose for another reason (disk, locks, the network).");
      break;
    case Limit::kNone:
      lines.push_back("Limiting resource: none reached (" + answer.ended + ").");
      break;
  }
  return lines;
}

}  // namespace fourdollar::bench
