#include "report/report.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include "report/html_page.h"
#include "report/node_view.h"

namespace fourdollar::report {
namespace {

// Rounded to three significant figures: "about 12300 requests/s" claims no false precision.
std::string About(double value) {
  if (value <= 0) return "0";
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)) - 2);
  const double rounded = std::round(value / magnitude) * magnitude;
  char buf[64];
  std::snprintf(buf, sizeof buf, rounded >= 100 ? "%.0f" : "%.3g", rounded);
  return buf;
}

std::string Ms(double ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ms >= 100 ? "%.0f" : "%.3g", ms);
  return buf;
}

std::string Printf(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

double Percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0;
}

std::string CpuText(double percent) {
  if (percent < 0) return "-";
  return Printf("%.0f%%", percent);
}

}  // namespace

ReportSummary Summarize(const results::Results& results) {
  ReportSummary summary;
  const std::vector<SecondPoint> points = SecondPoints(results);
  for (const SecondPoint& point : points) {
    summary.peak_requests_per_second =
        std::max(summary.peak_requests_per_second, static_cast<double>(point.requests));
  }
  summary.knee = FindKnee(points);
  const Knee& knee = summary.knee;
  if (knee.found) {
    summary.headline = "Capacity: about " + About(knee.requests_per_second) +
                       " requests/s at p95 <= " + Ms(knee.p95_ms) +
                       " ms; beyond it latency rises to " + Ms(knee.beyond_p95_ms) + " ms.";
  } else if (knee.knee_second >= 0) {
    summary.headline =
        "No capacity found: latency was above its low-load level from the start "
        "(p95 about " +
        Ms(knee.beyond_p95_ms) + " ms at up to " + About(summary.peak_requests_per_second) +
        " requests/s).";
  } else if (knee.limit_p95_ms > 0) {
    summary.headline = "No knee reached: up to about " + About(knee.requests_per_second) +
                       " requests/s (the peak) p95 stayed <= " + Ms(knee.p95_ms) +
                       " ms; the capacity is higher.";
  } else {
    summary.headline = "No knee: too few requests to judge (peak " +
                       About(summary.peak_requests_per_second) + " requests/s).";
  }
  return summary;
}

std::vector<std::string> Warnings(const LoadedRun& run, const ReportSummary& summary) {
  std::vector<std::string> warnings;
  const results::Results& r = run.results;
  if (r.run.generator_saturated) {
    warnings.push_back(Printf(
        "The load generator was saturated (CPU up to %.0f%% of the CPUs its threads could use): "
        "the figures may describe the generator rather than the server.",
        r.run.generator_cpu_max));
  }
  if (r.run.interrupted) warnings.push_back("The run was interrupted before its end.");
  if (run.start_spread_ms > 1000) {
    warnings.push_back(
        Printf("The %zu results folders started up to %.1f s apart, so their "
               "loads were not applied together: start every generator with "
               "the same --start-at.",
               run.inputs.size(), static_cast<double>(run.start_spread_ms) / 1000));
  }
  if (r.dropped_iterations > 0) {
    warnings.push_back(
        Printf("%llu iterations were dropped (no VU free to start them): the "
               "offered rate was not reached.",
               static_cast<unsigned long long>(r.dropped_iterations)));
  }
  if (r.overall.failed() > 0) {
    warnings.push_back(Printf("%llu of %llu requests failed (%.2f%%).",
                              static_cast<unsigned long long>(r.overall.failed()),
                              static_cast<unsigned long long>(r.overall.requests),
                              Percent(r.overall.failed(), r.overall.requests)));
  }
  if (run.skipped_lines > 0) {
    std::string text = Printf("%llu malformed lines were skipped",
                              static_cast<unsigned long long>(run.skipped_lines));
    text += run.skipped_examples.empty() ? "." : ", first: " + run.skipped_examples.front();
    warnings.push_back(text);
  }
  for (const results::ThresholdOutcome& outcome : r.thresholds) {
    if (outcome.passed) continue;
    warnings.push_back("Threshold failed: " + outcome.threshold.source +
                       (outcome.detail.empty() ? "" : " (" + outcome.detail + ")"));
  }
  if (!summary.knee.found && summary.knee.limit_p95_ms == 0) {
    warnings.push_back("Knee: " + summary.knee.reason + ".");
  }
  return warnings;
}

std::string FormatTextSummary(const LoadedRun& run, const ReportSummary& summary,
                              const std::vector<std::string>& warnings) {
  const results::Results& r = run.results;
  std::string out = summary.headline + "\n";
  if (run.sweep) {
    for (const StepFigures& step : run.sweep->steps) {
      out += Printf(
          "  %-8s offered %8.0f/s achieved %8.0f/s  p50 %7.2f  p95 %7.2f  p99 %7.2f ms"
          "  failed %llu  dropped %llu  server CPU %s (waiting %s)  generator CPU %s (waiting %s)"
          "  %s\n",
          step.dir.c_str(), step.offered_rps, step.achieved_rps, step.p50_ms, step.p95_ms,
          step.p99_ms, static_cast<unsigned long long>(step.failed),
          static_cast<unsigned long long>(step.dropped_iterations),
          CpuText(step.server_cpu_percent).c_str(), CpuText(step.server_wait_percent).c_str(),
          CpuText(step.generator_cpu_percent).c_str(), CpuText(step.generator_wait_percent).c_str(),
          step.held ? "held" : ("broke: " + step.reason).c_str());
    }
    if (!run.sweep->meaning.empty()) out += "  What this means:\n";
    for (const std::string& line : run.sweep->meaning) out += "    " + line + "\n";
  } else if (summary.knee.found || summary.knee.knee_second >= 0) {
    out += "  knee: " + summary.knee.reason + "\n";
  }
  out += Printf("  %s, %.0f s, %llu requests (%.1f/s average, %.0f/s peak), %llu failed\n",
                run.source.c_str(), r.DurationSeconds(),
                static_cast<unsigned long long>(r.overall.requests),
                r.RatePerSecond(r.overall.requests), summary.peak_requests_per_second,
                static_cast<unsigned long long>(r.overall.failed()));
  auto line = [&out](const std::string& name, const results::NameSecond& figures) {
    const results::LatencyHistogram& h = figures.duration;
    out += Printf("  %-24s %9llu req  p50 %8.2f  p95 %8.2f  p99 %8.2f  max %8.2f ms\n",
                  name.substr(0, 24).c_str(), static_cast<unsigned long long>(figures.requests),
                  static_cast<double>(h.PercentileUs(50)) / 1000.0,
                  static_cast<double>(h.PercentileUs(95)) / 1000.0,
                  static_cast<double>(h.PercentileUs(99)) / 1000.0,
                  static_cast<double>(h.max_us()) / 1000.0);
  };
  if (std::optional<std::string> node = NodeSummary(r)) out += "  " + *node + "\n";
  line("all", r.overall);
  for (const auto& [index, figures] : r.names) {
    line(index < r.run.names.size() ? r.run.names[index] : "?", figures);
  }
  for (const std::string& warning : warnings) out += "  WARNING: " + warning + "\n";
  return out;
}

ReportSummary SummarizeSweep(const results::Results& results, const Sweep& sweep) {
  ReportSummary summary = Summarize(results);
  // The bench's answer, word for word; the knee marks the fastest step that held.
  summary.headline = sweep.headline;
  Knee knee;
  const StepFigures* held = nullptr;
  for (const StepFigures& step : sweep.steps) {
    if (step.held && (held == nullptr || step.offered_rate > held->offered_rate)) held = &step;
  }
  if (held != nullptr) {
    knee.requests_per_second = held->HeldRps();
    knee.p95_ms = held->p95_ms;
    for (const StepFigures& step : sweep.steps) {
      if (!step.held && !step.interrupted && step.offered_rate > held->offered_rate) {
        knee.found = true;
      }
    }
  }
  knee.reason = "from the sweep's steady steps (see Steps)";
  summary.knee = knee;
  return summary;
}

Result<BuiltReport> BuildReport(const std::vector<std::string>& inputs) {
  Result<LoadedRun> run = LoadInputs(inputs);
  if (!run) return tl::unexpected(run.error());
  BuiltReport report;
  report.run = std::move(*run);
  report.summary = report.run.sweep ? SummarizeSweep(report.run.results, *report.run.sweep)
                                    : Summarize(report.run.results);
  report.warnings = Warnings(report.run, report.summary);
  report.html =
      RenderHtml(PageData(report.run, report.summary, report.warnings), report.summary.headline);
  report.text = FormatTextSummary(report.run, report.summary, report.warnings);
  return report;
}

Status WriteTextFile(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) return MakeError(ErrorCode::kIo, "cannot write " + path);
  return {};
}

Result<ReportSummary> WriteReport(const std::vector<std::string>& inputs,
                                  const std::string& out_html, std::string* warnings_text) {
  Result<BuiltReport> report = BuildReport(inputs);
  if (!report) return tl::unexpected(report.error());
  if (Status written = WriteTextFile(out_html, report->html); !written) {
    return tl::unexpected(written.error());
  }
  if (warnings_text != nullptr) {
    warnings_text->clear();
    for (const std::string& warning : report->warnings) *warnings_text += warning + "\n";
  }
  return report->summary;
}

}  // namespace fourdollar::report
