#include "results/summary.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <string>

#include "results/thresholds_eval.h"

namespace fourdollar::results {
namespace {

template <typename... Args>
std::string Format(const char* format, Args... args) {
  char buffer[512];
  const int n = std::snprintf(buffer, sizeof buffer, format, args...);
  return std::string(buffer, static_cast<size_t>(std::clamp(n, 0, int{sizeof buffer} - 1)));
}

std::string Bytes(uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1000 && unit + 1 < std::size(units)) {
    value /= 1000;
    ++unit;
  }
  return unit == 0 ? Format("%" PRIu64 " B", bytes) : Format("%.1f %s", value, units[unit]);
}

std::string Ms(int64_t micros) { return Format("%.2f", static_cast<double>(micros) / 1000.0); }

// "label ......: " padded to a common width, as k6 does.
std::string Label(const std::string& label) {
  std::string line = "  " + label + " ";
  while (line.size() < 24) line.push_back('.');
  return line + ": ";
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole ? Format("%.2f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole))
               : std::string("0%");
}

std::string DurationRow(const std::string& name, const NameSecond& figures) {
  const LatencyHistogram& h = figures.duration;
  std::string row =
      Format("    %-24s %9" PRIu64 " %7" PRIu64, name.c_str(), figures.requests, figures.failed());
  row += Format(" %8s %8s", Ms(h.min_us()).c_str(), Format("%.2f", h.mean_us() / 1000).c_str());
  for (double p : {50.0, 90.0, 95.0, 99.0, 99.9})
    row += Format(" %8s", Ms(h.PercentileUs(p)).c_str());
  return row + Format(" %8s\n", Ms(h.max_us()).c_str());
}

std::string ThresholdLine(const ThresholdOutcome& outcome) {
  const Threshold& t = outcome.threshold;
  std::string line = outcome.passed ? "    ✓ " : "    ✗ ";
  line += t.metric;
  if (!t.name_filter.empty()) line += "{name=" + t.name_filter + "}";
  line +=
      " " + (t.source.empty() ? AggregateText(t) + OpText(t.op) + Format("%g", t.value) : t.source);
  if (outcome.evaluated) {
    line += Format("  (observed %g)", outcome.observed);
  } else {
    line += "  (not evaluated: " + outcome.detail + ")";
  }
  return line + "\n";
}

}  // namespace

std::string FormatSummary(const Results& results) {
  const RunInfo& run = results.run;
  const NameSecond& all = results.overall;
  std::string out = "\n  fourdollar load  " + run.scenario_path + " -> " + run.target + "\n";
  out += Format("  %s, %d threads, %.1f s%s, segment %s\n\n", run.model.c_str(), run.threads,
                results.DurationSeconds(), run.interrupted ? " (interrupted)" : "",
                run.segment.c_str());

  out += Label("requests") +
         Format("%" PRIu64 "  %.1f/s\n", all.requests, results.RatePerSecond(all.requests));
  out += Label("failures") +
         Format("%" PRIu64 " (%s)", all.failed(), Percent(all.failed(), all.requests).c_str());
  std::string kinds;
  for (size_t kind = 1; kind < kFailureKinds; ++kind) {
    if (all.failures[kind] == 0) continue;
    kinds += (kinds.empty() ? "" : ", ");
    kinds +=
        Format("%s %" PRIu64, FailureKindName(static_cast<FailureKind>(kind)), all.failures[kind]);
  }
  out += kinds.empty() ? "\n" : "  " + kinds + "\n";
  if (all.tls_full_handshakes + all.tls_resumed_handshakes > 0) {
    out += Label("TLS handshakes") + Format("%" PRIu64 " full, %" PRIu64 " resumed\n",
                                            all.tls_full_handshakes, all.tls_resumed_handshakes);
  }
  if (all.phases[0].count() > 0) {
    out += Label("phases (ms)") + "avg / p95:";
    for (size_t i = 0; i < kPhases; ++i) {
      const LatencyHistogram& p = all.phases[i];
      out += Format("  %s %.2f / %.2f", PhaseMetricName(i) + 9, p.mean_us() / 1000.0,
                    static_cast<double>(p.PercentileUs(95)) / 1000.0);
    }
    out += "\n";
  }
  for (const auto& [kind, message] : results.first_failures) {
    out += Label("  first " + kind) + message + "\n";
  }
  std::string statuses;
  for (const auto& [status, n] : all.by_status) {
    statuses += (statuses.empty() ? "" : ", ");
    statuses += Format("%d: %" PRIu64, status, n);
  }
  out += Label("status codes") + (statuses.empty() ? "none" : statuses) + "\n";
  out += Label("data sent") + Bytes(all.bytes_sent) +
         Format("  %s/s\n",
                Bytes(static_cast<uint64_t>(results.RatePerSecond(all.bytes_sent))).c_str());
  out += Label("data received") + Bytes(all.bytes_received) +
         Format("  %s/s\n",
                Bytes(static_cast<uint64_t>(results.RatePerSecond(all.bytes_received))).c_str());
  out += Label("iterations") + Format("%" PRIu64 "  %.1f/s\n", results.iterations,
                                      results.RatePerSecond(results.iterations));
  out += Label("dropped iterations") + Format("%" PRIu64 "\n", results.dropped_iterations);
  const uint64_t checks = results.checks_passed + results.checks_failed;
  out += Label("checks") + (checks == 0 ? std::string("none")
                                        : Format("%s  %" PRIu64 " passed, %" PRIu64 " failed",
                                                 Percent(results.checks_passed, checks).c_str(),
                                                 results.checks_passed, results.checks_failed));
  out += "\n\n  duration (ms)\n";
  out += Format("    %-24s %9s %7s %8s %8s %8s %8s %8s %8s %8s %8s\n", "name", "requests", "failed",
                "min", "avg", "p50", "p90", "p95", "p99", "p99.9", "max");
  out += DurationRow("all", all);
  for (uint32_t index = 0; index < run.names.size(); ++index) {
    auto it = results.names.find(index);
    // Names that never had a request (redirects that did not happen) only add noise.
    if (it == results.names.end() || it->second.requests == 0) continue;
    out += DurationRow(run.names[index], it == results.names.end() ? NameSecond() : it->second);
  }
  if (!results.thresholds.empty()) {
    out += "\n  thresholds\n";
    for (const ThresholdOutcome& outcome : results.thresholds) out += ThresholdLine(outcome);
  }
  if (results.dropped_iterations > 0) {
    out += Format("\n  WARNING: %" PRIu64
                  " iterations were dropped: the VU pool (max_vus) was "
                  "too small for the asked rate, so the server saw less load than planned.\n",
                  results.dropped_iterations);
  }
  if (run.generator_saturated) {
    out += Format(
        "\n  WARNING: the load generator was saturated (CPU up to %.0f%% of the CPUs its threads "
        "could use): latencies include its own delay; add threads or generators.\n",
        run.generator_cpu_max);
  }
  if (run.interrupted) out += "\n  NOTE: the run was interrupted before its planned end.\n";
  return out;
}

}  // namespace fourdollar::results
