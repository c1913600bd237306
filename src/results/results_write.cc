// WriteResults (declared in results_files.h).
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "results/results_csv.h"
#include "results/results_files.h"
#include "results/thresholds_eval.h"

namespace fourdollar::results {
namespace {

namespace json = boost::json;

constexpr std::pair<const char*, double> kPercentiles[] = {
    {"p50", 50}, {"p90", 90}, {"p95", 95}, {"p99", 99}, {"p99.9", 99.9}};

double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

json::object Figures(const NameSecond& figures, const Results& results) {
  json::object failures;
  for (size_t kind = 1; kind < kFailureKinds; ++kind) {
    failures[FailureKindName(static_cast<FailureKind>(kind))] = figures.failures[kind];
  }
  json::object by_status;
  for (const auto& [status, n] : figures.by_status) by_status[std::to_string(status)] = n;
  const LatencyHistogram& h = figures.duration;
  json::object duration{{"min", Ms(h.min_us())}, {"avg", h.mean_us() / 1000.0}};
  for (const auto& [key, p] : kPercentiles) duration[key] = Ms(h.PercentileUs(p));
  duration["max"] = Ms(h.max_us());
  json::object phases;
  for (size_t i = 0; i < kPhases; ++i) {
    const LatencyHistogram& p = figures.phases[i];
    if (p.count() == 0) continue;
    json::object phase{{"min", Ms(p.min_us())}, {"avg", p.mean_us() / 1000.0}};
    for (const auto& [key, percentile] : kPercentiles) phase[key] = Ms(p.PercentileUs(percentile));
    phase["max"] = Ms(p.max_us());
    phases[PhaseMetricName(i)] = std::move(phase);
  }
  return json::object{{"phases_ms", std::move(phases)},
                      {"tls_handshakes", json::object{{"full", figures.tls_full_handshakes},
                                                      {"resumed", figures.tls_resumed_handshakes}}},
                      {"requests", figures.requests},
                      {"rate", results.RatePerSecond(figures.requests)},
                      {"failed", figures.failed()},
                      {"failures", std::move(failures)},
                      {"by_status", std::move(by_status)},
                      {"duration_ms", std::move(duration)},
                      {"bytes_sent", figures.bytes_sent},
                      {"bytes_received", figures.bytes_received}};
}

json::object SummaryJson(const Results& results) {
  const RunInfo& run = results.run;
  json::array names;
  for (const std::string& name : run.names) names.emplace_back(name);
  json::object run_json{
      {"scenario_path", run.scenario_path},
      {"target", run.target},
      {"start_unix_ms", run.start_unix_ms},
      {"start_at_unix_ms",
       run.start_at_unix_ms != 0 ? json::value(run.start_at_unix_ms) : json::value(nullptr)},
      {"duration_ms", run.duration_ms},
      {"names", std::move(names)},
      {"segment", run.segment},
      {"threads", run.threads},
      {"model", run.model},
      {"interrupted", run.interrupted},
      {"generator_saturated", run.generator_saturated},
      {"generator_cpu_max", run.generator_cpu_max}};
  json::array per_name;
  for (uint32_t index = 0; index < run.names.size(); ++index) {
    auto it = results.names.find(index);
    json::object entry{{"name", run.names[index]}};
    for (auto& member : Figures(it == results.names.end() ? NameSecond() : it->second, results)) {
      entry.emplace(member.key(), std::move(member.value()));
    }
    per_name.emplace_back(std::move(entry));
  }
  json::array thresholds;
  for (const ThresholdOutcome& outcome : results.thresholds) {
    const Threshold& t = outcome.threshold;
    thresholds.emplace_back(json::object{{"metric", t.metric},
                                         {"name", t.name_filter},
                                         {"source", t.source},
                                         {"aggregate", AggregateText(t)},
                                         {"op", OpText(t.op)},
                                         {"value", t.value},
                                         {"evaluated", outcome.evaluated},
                                         {"observed", outcome.observed},
                                         {"passed", outcome.passed},
                                         {"detail", outcome.detail}});
  }
  return json::object{{"format", "fourdollar-results"},
                      {"version", run.version},
                      {"run", std::move(run_json)},
                      {"totals", Figures(results.overall, results)},
                      {"names", std::move(per_name)},
                      {"iterations", results.iterations},
                      {"iterations_rate", results.RatePerSecond(results.iterations)},
                      {"dropped_iterations", results.dropped_iterations},
                      {"checks", json::object{{"passed", results.checks_passed},
                                              {"failed", results.checks_failed}}},
                      {"thresholds", std::move(thresholds)},
                      {"thresholds_passed", results.ThresholdsPassed()}};
}

// Boost.JSON serializes on one line; the summary is meant to be read by people too.
void Pretty(const json::value& value, std::string& out, int indent) {
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  if (value.is_object() && !value.get_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, member] : value.get_object()) {
      out += first ? "" : ",\n";
      first = false;
      out += pad + json::serialize(json::string(key)) + ": ";
      Pretty(member, out, indent + 2);
    }
    out.push_back('\n');
    out.append(static_cast<size_t>(indent), ' ');
    out.push_back('}');
  } else if (value.is_array() && !value.get_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const json::value& element : value.get_array()) {
      out += first ? "" : ",\n";
      first = false;
      out += pad;
      Pretty(element, out, indent + 2);
    }
    out.push_back('\n');
    out.append(static_cast<size_t>(indent), ' ');
    out.push_back(']');
  } else if (value.is_double() && std::isfinite(value.get_double())) {
    // Boost.JSON writes 33.3 as "3.33E1"; the shortest round-trip form reads better.
    out += FormatDouble(value.get_double());
  } else {
    out += json::serialize(value);
  }
}

std::string Optional(const std::optional<double>& value) {
  return value ? FormatDouble(*value) : "";
}

// Appends ",<text>"; one push_back and one append (a `"," + string` temporary makes g++ 12
// report a false -Wrestrict).
void Comma(std::string& out, std::string_view text) {
  out.push_back(',');
  out.append(text);
}

void AppendSecondsRow(std::string& out, const Results& results, const SecondRow& row,
                      std::string_view name, const NameSecond& figures, bool all) {
  const LatencyHistogram& h = figures.duration;
  out += std::to_string(row.second);
  Comma(out, std::to_string(results.run.start_unix_ms + row.second * 1000));
  out.push_back(',');
  AppendCsvField(out, name);
  Comma(out, all ? FormatDouble(row.data.active_vus) : "");
  Comma(out, all ? FormatDouble(row.data.offered_rate) : "");
  Comma(out, std::to_string(figures.requests));
  Comma(out, std::to_string(figures.failed()));
  for (double p : {50.0, 95.0, 99.0}) Comma(out, FormatDouble(Ms(h.PercentileUs(p))));
  Comma(out, FormatDouble(Ms(h.max_us())));
  Comma(out, std::to_string(figures.bytes_sent));
  Comma(out, std::to_string(figures.bytes_received));
  if (all) {
    Comma(out, Optional(row.server_cpu_percent));
    Comma(out, row.server_rss_bytes ? std::to_string(*row.server_rss_bytes) : "");
    Comma(out, Optional(row.generator_cpu_percent));
    Comma(out, std::to_string(row.data.iterations));
    Comma(out, std::to_string(row.data.dropped_iterations));
    Comma(out, std::to_string(row.data.checks_passed));
    Comma(out, std::to_string(row.data.checks_failed));
  } else {
    out += ",,,,,,,";
  }
  out.push_back('\n');
}

std::string SecondsCsv(const Results& results) {
  std::string out = std::string(kSecondsCsvHeader) + "\n";
  for (const SecondRow& row : results.seconds) {
    NameSecond all;
    for (const auto& [index, figures] : row.data.names) all.Merge(figures);
    AppendSecondsRow(out, results, row, "*", all, true);
    for (const auto& [index, figures] : row.data.names) {
      AppendSecondsRow(out, results, row, results.run.names.at(index), figures, false);
    }
  }
  return out;
}

void AppendHistogramLine(std::string& out, std::string_view time, std::string_view name,
                         const NameSecond& figures) {
  std::string failures;
  for (size_t kind = 1; kind < kFailureKinds; ++kind) {
    if (figures.failures[kind] == 0) continue;
    if (!failures.empty()) failures.push_back(',');
    failures += FailureKindName(static_cast<FailureKind>(kind));
    failures.push_back(':');
    failures += std::to_string(figures.failures[kind]);
  }
  std::string statuses;
  for (const auto& [status, n] : figures.by_status) {
    if (!statuses.empty()) statuses.push_back(',');
    statuses += std::to_string(status);
    statuses.push_back(':');
    statuses += std::to_string(n);
  }
  out.append(time).append("\t").append(name).append("\t");
  out += std::to_string(figures.requests) + "\t" + std::to_string(figures.bytes_sent) + "\t" +
         std::to_string(figures.bytes_received) + "\t" + (failures.empty() ? "-" : failures) +
         "\t" + (statuses.empty() ? "-" : statuses) + "\t" + figures.duration.ToText();
  // Runs that measured phases add seven fields: full/resumed TLS handshakes, then one histogram
  // per phase.
  if (figures.phases[0].count() > 0 ||
      figures.tls_full_handshakes + figures.tls_resumed_handshakes > 0) {
    out += "\t" + std::to_string(figures.tls_full_handshakes) + "/" +
           std::to_string(figures.tls_resumed_handshakes);
    for (const LatencyHistogram& phase : figures.phases) out += "\t" + phase.ToText();
  }
  out += "\n";
}

std::string HistogramsText(const Results& results) {
  std::string out = std::string(kHistogramsHeader) + "\n";
  out += "# time_s|total\tname_index|*\trequests\tbytes_sent\tbytes_received\tfailures\t";
  out += "by_status\thistogram[\ttls_full/tls_resumed\tblocked\tconnecting\ttls_handshaking\t";
  out += "sending\twaiting\treceiving]\n";
  for (const SecondRow& row : results.seconds) {
    for (const auto& [index, figures] : row.data.names) {
      AppendHistogramLine(out, std::to_string(row.second), std::to_string(index), figures);
    }
  }
  for (const auto& [index, figures] : results.names) {
    AppendHistogramLine(out, "total", std::to_string(index), figures);
  }
  AppendHistogramLine(out, "total", "*", results.overall);
  return out;
}

std::string ScrapeCsv(const Results& results) {
  std::string out = std::string(kScrapeCsvHeader) + "\n";
  for (const SecondRow& row : results.seconds) {
    for (const auto& [metric, value] : row.scrape) {
      out += std::to_string(row.second);
      Comma(out, std::to_string(results.run.start_unix_ms + row.second * 1000));
      out.push_back(',');
      AppendCsvField(out, metric);
      Comma(out, FormatDouble(value));
      out.push_back('\n');
    }
  }
  return out;
}

Status WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) return MakeError(ErrorCode::kIo, "cannot write " + path.string());
  return {};
}

}  // namespace

Status WriteResults(const Results& results, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + dir + " (" + ec.message() + ")");
  std::string summary;
  Pretty(SummaryJson(results), summary, 0);
  summary += "\n";
  const std::filesystem::path base(dir);
  if (auto s = WriteFile(base / "summary.json", summary); !s) return s;
  if (auto s = WriteFile(base / "seconds.csv", SecondsCsv(results)); !s) return s;
  if (auto s = WriteFile(base / "histograms.txt", HistogramsText(results)); !s) return s;
  return WriteFile(base / "scrape.csv", ScrapeCsv(results));
}

}  // namespace fourdollar::results
