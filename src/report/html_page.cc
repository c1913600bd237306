#include "report/html_page.h"

#include <optional>

#include <algorithm>
#include <cmath>

#include "report/embedded_assets.h"
#include "report/node_view.h"
#include "report/phases_view.h"
#include "report/rate_curve.h"
#include "results/thresholds_eval.h"

namespace fourdollar::report {
namespace {

namespace json = boost::json;

double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

json::value Optional(const std::optional<double>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object Figures(const std::string& name, const results::NameSecond& figures,
                     const results::Results& results) {
  const results::LatencyHistogram& h = figures.duration;
  json::object failures;
  for (size_t kind = 1; kind < results::kFailureKinds; ++kind) {
    if (figures.failures[kind] == 0) continue;
    failures[results::FailureKindName(static_cast<results::FailureKind>(kind))] =
        figures.failures[kind];
  }
  return json::object{{"name", name},
                      {"requests", figures.requests},
                      {"rate", results.RatePerSecond(figures.requests)},
                      {"failed", figures.failed()},
                      {"failures", std::move(failures)},
                      {"avg", h.mean_us() / 1000.0},
                      {"p50", Ms(h.PercentileUs(50))},
                      {"p90", Ms(h.PercentileUs(90))},
                      {"p95", Ms(h.PercentileUs(95))},
                      {"p99", Ms(h.PercentileUs(99))},
                      {"max", Ms(h.max_us())}};
}

// A sweep's steps were trimmed to their steady parts: the seconds between them (a step's first
// second, its drain, the next step's start) are gaps, drawn as gaps rather than as zeros.
json::object Seconds(const results::Results& results, bool sweep) {
  json::array t, vus, offered, rps, p50, p95, p99, failed, dropped, server_cpu, server_rss_mb,
      generator_cpu;
  bool any_offered = false;
  std::optional<double> previous_scraped_cpu_s;
  for (const results::SecondRow& row : results.seconds) {
    results::NameSecond all;
    for (const auto& [index, figures] : row.data.names) all.Merge(figures);
    const bool empty = all.requests == 0;
    t.emplace_back(row.second);
    if (sweep && empty && !row.generator_cpu_percent && !row.server_cpu_percent) {
      for (json::array* series : {&vus, &offered, &rps, &p50, &p95, &p99, &failed, &dropped,
                                  &server_cpu, &server_rss_mb, &generator_cpu}) {
        series->emplace_back(nullptr);
      }
      continue;
    }
    vus.emplace_back(row.data.active_vus);
    offered.emplace_back(row.data.offered_rate);
    any_offered = any_offered || row.data.offered_rate > 0;
    rps.emplace_back(all.requests);
    for (auto [series, p] : {std::pair{&p50, 50.0}, {&p95, 95.0}, {&p99, 99.0}}) {
      series->push_back(empty ? json::value(nullptr)
                              : json::value(Ms(all.duration.PercentileUs(p))));
    }
    failed.emplace_back(all.failed());
    dropped.emplace_back(row.data.dropped_iterations);
    // A remote server is not watched but scraped: its CPU is the growth of its
    // process_cpu_seconds_total over the second, its memory process_resident_memory_bytes.
    std::optional<double> cpu_percent = row.server_cpu_percent;
    std::optional<uint64_t> rss_bytes = row.server_rss_bytes;
    auto scraped_cpu = row.scrape.find("process_cpu_seconds_total");
    if (scraped_cpu != row.scrape.end()) {
      if (!cpu_percent && previous_scraped_cpu_s) {
        cpu_percent = (scraped_cpu->second - *previous_scraped_cpu_s) * 100.0;
      }
      previous_scraped_cpu_s = scraped_cpu->second;
    }
    auto scraped_rss = row.scrape.find("process_resident_memory_bytes");
    if (!rss_bytes && scraped_rss != row.scrape.end()) {
      rss_bytes = static_cast<uint64_t>(scraped_rss->second);
    }
    server_cpu.push_back(Optional(cpu_percent));
    server_rss_mb.push_back(rss_bytes ? json::value(static_cast<double>(*rss_bytes) / 1048576.0)
                                      : json::value(nullptr));
    generator_cpu.push_back(Optional(row.generator_cpu_percent));
  }
  return json::object{
      {"t", std::move(t)},
      {"vus", std::move(vus)},
      {"offered", any_offered ? json::value(std::move(offered)) : json::value(nullptr)},
      {"rps", std::move(rps)},
      {"p50", std::move(p50)},
      {"p95", std::move(p95)},
      {"p99", std::move(p99)},
      {"failed", std::move(failed)},
      {"dropped", std::move(dropped)},
      {"server_cpu", std::move(server_cpu)},
      {"server_rss_mb", std::move(server_rss_mb)},
      {"generator_cpu", std::move(generator_cpu)}};
}

// Percentile curves: x is -log10(1 - p/100), so 0 = p0, 1 = p90, 2 = p99, 3 = p99.9.
json::object PercentileCurves(const results::Results& results) {
  json::array x;
  for (int step = 0; step <= 80; ++step) x.emplace_back(step * 0.05);
  json::array curves;
  auto curve = [&](const std::string& name, const results::LatencyHistogram& h) {
    json::array y;
    for (int step = 0; step <= 80; ++step) {
      const double p = 100.0 * (1.0 - std::pow(10.0, -step * 0.05));
      y.emplace_back(Ms(h.PercentileUs(p)));
    }
    curves.emplace_back(json::object{{"name", name}, {"ms", std::move(y)}});
  };
  curve("all", results.overall.duration);
  for (const auto& [index, figures] : results.names) {
    if (index < results.run.names.size()) curve(results.run.names[index], figures.duration);
  }
  return json::object{{"x", std::move(x)}, {"curves", std::move(curves)}};
}

json::object SweepData(const Sweep& sweep) {
  json::array steps;
  auto cpu = [](double percent) {
    return percent < 0 ? json::value(nullptr) : json::value(percent);
  };
  for (const StepFigures& s : sweep.steps) {
    steps.emplace_back(json::object{{"dir", s.dir},
                                    {"offered_rps", s.offered_rps},
                                    {"achieved_rps", s.achieved_rps},
                                    {"p50", s.p50_ms},
                                    {"p95", s.p95_ms},
                                    {"p99", s.p99_ms},
                                    {"failed", s.failed},
                                    {"dropped", s.dropped_iterations},
                                    {"server_cpu", cpu(s.server_cpu_percent)},
                                    {"generator_cpu", cpu(s.generator_cpu_percent)},
                                    {"server_wait", cpu(s.server_wait_percent)},
                                    {"generator_wait", cpu(s.generator_wait_percent)},
                                    {"held", s.held},
                                    {"reason", s.reason},
                                    {"tls_full", s.tls_full_handshakes},
                                    {"tls_resumed", s.tls_resumed_handshakes}});
  }
  json::array meaning;
  for (const std::string& line : sweep.meaning) meaning.emplace_back(line);
  return json::object{{"steps", std::move(steps)},
                      {"meaning", std::move(meaning)},
                      {"server_cpus", sweep.server_cpus},
                      {"step_ms", sweep.step_ms},
                      {"skip_seconds", sweep.skip_seconds}};
}

}  // namespace

json::object PageData(const LoadedRun& run, const ReportSummary& summary,
                      const std::vector<std::string>& warnings) {
  const results::Results& r = run.results;
  json::array inputs;
  for (const std::string& input : run.inputs) inputs.emplace_back(input);
  json::array names;
  names.emplace_back(Figures("all", r.overall, r));
  for (const auto& [index, figures] : r.names) {
    if (index < r.run.names.size()) names.emplace_back(Figures(r.run.names[index], figures, r));
  }
  json::array statuses;
  for (const auto& [status, n] : r.overall.by_status) {
    statuses.emplace_back(json::object{{"status", status}, {"requests", n}});
  }
  json::array thresholds;
  for (const results::ThresholdOutcome& outcome : r.thresholds) {
    thresholds.emplace_back(json::object{{"source", outcome.threshold.source},
                                         {"metric", outcome.threshold.metric},
                                         {"name", outcome.threshold.name_filter},
                                         {"observed", outcome.observed},
                                         {"evaluated", outcome.evaluated},
                                         {"passed", outcome.passed},
                                         {"detail", outcome.detail}});
  }
  json::array warning_list;
  for (const std::string& warning : warnings) warning_list.emplace_back(warning);
  json::array skipped;
  for (const std::string& example : run.skipped_examples) skipped.emplace_back(example);
  const Knee& knee = summary.knee;
  return json::object{
      {"headline", summary.headline},
      {"source", run.source},
      {"inputs", std::move(inputs)},
      {"run", json::object{{"scenario", r.run.scenario_path},
                           {"target", r.run.target},
                           {"model", r.run.model},
                           {"segment", r.run.segment},
                           {"start_unix_ms", r.run.start_unix_ms},
                           {"duration_ms", r.run.duration_ms},
                           {"iterations", r.iterations},
                           {"dropped_iterations", r.dropped_iterations},
                           {"checks_passed", r.checks_passed},
                           {"checks_failed", r.checks_failed},
                           {"generator_cpu_max", r.run.generator_cpu_max}}},
      {"knee", json::object{{"found", knee.found},
                            {"rate", knee.requests_per_second},
                            {"p95_ms", knee.p95_ms},
                            {"beyond_p95_ms", knee.beyond_p95_ms},
                            {"second", knee.knee_second},
                            {"low_load_p95_ms", knee.low_load_p95_ms},
                            {"limit_p95_ms", knee.limit_p95_ms},
                            {"reason", knee.reason}}},
      {"peak_rate", summary.peak_requests_per_second},
      {"seconds", Seconds(r, run.sweep.has_value())},
      {"sweep", run.sweep ? json::value(SweepData(*run.sweep)) : nullptr},
      {"rate_curve",
       RateCurve(r,
                 [](const results::NameSecond& figures) -> const results::LatencyHistogram& {
                   return figures.duration;
                 })},
      {"phases", PhasesView(r)},
      {"node", NodeView(r)},
      {"percentiles", PercentileCurves(r)},
      {"names", std::move(names)},
      {"statuses", std::move(statuses)},
      {"thresholds", std::move(thresholds)},
      {"warnings", std::move(warning_list)},
      {"skipped_lines", run.skipped_lines},
      {"skipped_examples", std::move(skipped)}};
}

std::string RenderHtml(const json::object& data, const std::string& headline) {
  std::string json_text = json::serialize(data);
  std::string escaped_json;
  escaped_json.reserve(json_text.size() + 64);
  for (char c : json_text) {
    // '<' only occurs inside JSON strings, where \u003c means the same.
    if (c == '<') {
      escaped_json += "\\u003c";
    } else {
      escaped_json.push_back(c);
    }
  }
  std::string escaped_headline;
  for (char c : headline) {
    switch (c) {
      case '<':
        escaped_headline += "&lt;";
        break;
      case '>':
        escaped_headline += "&gt;";
        break;
      case '&':
        escaped_headline += "&amp;";
        break;
      default:
        escaped_headline.push_back(c);
    }
  }
  std::string html;
  html.reserve(escaped_json.size() + assets::kUplotJs.size() + 16384);
  html += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // Nothing may be fetched: no network, not even a favicon.
  html +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n";
  html += "<link rel=\"icon\" href=\"data:,\">\n";
  html += "<title>fourdollar report</title>\n<style>\n";
  html.append(assets::kUplotCss);
  html += "\n";
  html.append(assets::kReportCss);
  html += "</style>\n</head>\n<body>\n<main>\n<h1>fourdollar report</h1>\n";
  html += "<p id=\"headline\" class=\"headline\">" + escaped_headline + "</p>\n";
  html += "<div id=\"report\"></div>\n</main>\n";
  html += "<script id=\"report-data\" type=\"application/json\">" + escaped_json + "</script>\n";
  html += "<script>\n";
  html.append(assets::kUplotJs);
  html += "\n</script>\n<script>\n";
  html.append(assets::kReportJs);
  html += "\n</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace fourdollar::report
