#include "report/compare.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <boost/json.hpp>

#include "report/embedded_assets.h"
#include "report/knee.h"
#include "report/report.h"
#include "report/sweep.h"

namespace fourdollar::report {
namespace {

namespace json = boost::json;

std::string Printf(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

size_t FigureIndex(const std::string& figure) {
  const auto* begin = std::begin(kComparedFigures);
  return static_cast<size_t>(std::find(begin, std::end(kComparedFigures), figure) - begin);
}

std::string Unit(const std::string& figure) {
  if (figure == "p50" || figure == "p95" || figure == "p99" || figure == "max") return " ms";
  if (figure == "rps" || figure == "capacity") return "/s";
  return "";
}

std::string Value(const std::string& figure, double value) {
  if (figure == "failed") return Printf("%.2f%%", value * 100);
  if (Unit(figure) == " ms") return Printf("%.2f ms", value);
  return Printf("%.0f", value) + Unit(figure);
}

// A bench folder is compared through its sweep (LoadInputs finds it) or, without one, its seed
// scenario.
std::string InputPath(const std::string& input) {
  std::error_code ec;
  if (!IsSweepFolder(input + "/limit") &&
      std::filesystem::is_regular_file(input + "/seed/summary.json", ec)) {
    return input + "/seed";
  }
  return input;
}

Result<RunFigures> Figures(const std::string& input) {
  Result<BuiltReport> built = BuildReport({InputPath(input)});
  if (!built) return tl::unexpected(built.error());
  const results::Results& r = built->run.results;
  const ReportSummary& summary = built->summary;
  RunFigures run;
  run.input = input;
  run.headline = summary.headline;
  const double capacity = built->run.sweep || summary.knee.found ? summary.knee.requests_per_second
                                                                 : summary.peak_requests_per_second;
  const double failed = r.overall.requests == 0 ? 0
                                                : static_cast<double>(r.overall.failed()) /
                                                      static_cast<double>(r.overall.requests);
  const results::LatencyHistogram& h = r.overall.duration;
  run.figures = {static_cast<double>(r.overall.requests),
                 r.RatePerSecond(r.overall.requests),
                 capacity,
                 static_cast<double>(h.PercentileUs(50)) / 1000.0,
                 static_cast<double>(h.PercentileUs(95)) / 1000.0,
                 static_cast<double>(h.PercentileUs(99)) / 1000.0,
                 static_cast<double>(h.max_us()) / 1000.0,
                 failed,
                 static_cast<double>(r.dropped_iterations)};
  for (const SecondPoint& point : SecondPoints(r)) {
    run.seconds_rps.push_back(static_cast<double>(point.requests));
    run.seconds_p95_ms.push_back(point.requests == 0 ? -1 : point.p95_ms);
  }
  return run;
}

std::string Html(const Comparison& comparison) {
  json::array runs;
  for (const RunFigures& run : comparison.runs) {
    json::array p95, rps;
    for (double v : run.seconds_p95_ms)
      p95.push_back(v < 0 ? json::value(nullptr) : json::value(v));
    for (double v : run.seconds_rps) rps.emplace_back(v);
    json::array figures;
    for (double v : run.figures) figures.emplace_back(v);
    runs.emplace_back(json::object{{"input", run.input},
                                   {"headline", run.headline},
                                   {"figures", std::move(figures)},
                                   {"p95", std::move(p95)},
                                   {"rps", std::move(rps)}});
  }
  json::array names;
  for (const char* figure : kComparedFigures) names.emplace_back(figure);
  json::array failed;
  for (const std::string& line : comparison.failed) failed.emplace_back(line);
  std::string data = json::serialize(json::object{
      {"runs", std::move(runs)}, {"figures", std::move(names)}, {"failed", std::move(failed)}});
  std::string escaped;
  for (char c : data) escaped += c == '<' ? std::string("\\u003c") : std::string(1, c);
  std::string html =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src "
      "'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n<link rel=\"icon\" "
      "href=\"data:,\">\n<title>fourdollar comparison</title>\n<style>\n";
  html.append(assets::kUplotCss);
  html +=
      "\nbody{font-family:sans-serif;margin:1em}td,th{padding:2px 8px;text-align:right}"
      ".failed{color:#c0392b}</style>\n</head>\n<body>\n<h1>fourdollar comparison</h1>\n"
      "<div id=\"compare\"></div>\n<script id=\"compare-data\" type=\"application/json\">" +
      escaped + "</script>\n<script>\n";
  html.append(assets::kUplotJs);
  // Hand-written: the table as DOM text (never innerHTML) and the overlaid curves.
  html += R"js(
</script>
<script>
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('compare-data').textContent);
  const root = document.getElementById('compare');
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
  function el(tag, children, cls) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    for (const c of [].concat(children)) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const base = data.runs[0].figures;
  const head = el('tr', [el('th', 'figure')].concat(data.runs.map((r, i) =>
    el('th', (i === 0 ? 'A (baseline): ' : String.fromCharCode(65 + i) + ': ') + r.input))));
  const rows = data.figures.map((f, k) => el('tr', [el('td', f)].concat(data.runs.map((r, i) =>
    el('td', Number(r.figures[k]).toLocaleString('en-US', { maximumFractionDigits: 3 }) +
      (i > 0 && base[k] !== 0 ? ' (' + (r.figures[k] / base[k]).toFixed(2) + 'x)' : ''))))));
  root.append(el('table', [el('thead', head), el('tbody', rows)]));
  root.append(el('ul', data.runs.map((r, i) => el('li', String.fromCharCode(65 + i) + ': ' +
    r.headline))));
  if (data.failed.length) root.append(el('ul', data.failed.map((t) => el('li', t)), 'failed'));
  const length = Math.max(...data.runs.map((r) => r.p95.length));
  const x = Array.from({ length: length }, (_, i) => i);
  const pad = (a) => x.map((i) => (i < a.length ? a[i] : null));
  for (const [title, key] of [['p95 per second (ms)', 'p95'], ['requests per second', 'rps']]) {
    const box = el('figure', []);
    root.append(box);
    new uPlot({ title: title, width: Math.min(1100, root.clientWidth || 800), height: 300,
      scales: { x: { time: false } }, axes: [{ label: 'second of the run' }, { size: 70 }],
      series: [{ label: 's' }].concat(data.runs.map((r, i) => ({
        label: String.fromCharCode(65 + i), stroke: palette[i % palette.length], width: 2 }))),
    }, [x].concat(data.runs.map((r) => pad(r[key]))), box);
  }
}());
</script>
</body>
</html>
)js";
  return html;
}

}  // namespace

Result<CompareCondition> ParseCondition(const std::string& text) {
  CompareCondition condition;
  condition.source = text;
  const size_t op = text.find_first_of("<>");
  auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, "--fail-if '" + text + "': " + why);
  };
  if (op == std::string::npos) return bad("expected FIGURE > FACTORx or FIGURE < FACTORx");
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  condition.figure = trim(text.substr(0, op));
  condition.greater = text[op] == '>';
  std::string factor = trim(text.substr(op + 1));
  if (FigureIndex(condition.figure) == std::size(kComparedFigures)) {
    std::string known;
    for (const char* figure : kComparedFigures)
      known += std::string(known.empty() ? "" : ", ") + figure;
    return bad("unknown figure \"" + condition.figure + "\" (one of " + known + ")");
  }
  if (factor.empty() || factor.back() != 'x') {
    return bad("the bound must be a factor of the baseline's figure, such as 1.10x");
  }
  factor.pop_back();
  char* end = nullptr;
  condition.factor = std::strtod(factor.c_str(), &end);
  if (factor.empty() || end != factor.c_str() + factor.size() || !(condition.factor > 0)) {
    return bad("\"" + factor + "x\" is not a positive factor");
  }
  return condition;
}

Result<Comparison> Compare(const std::vector<std::string>& inputs,
                           const std::vector<CompareCondition>& conditions) {
  if (inputs.size() < 2) {
    return MakeError(ErrorCode::kInvalidArgument, "--compare needs at least two inputs");
  }
  Comparison comparison;
  for (const std::string& input : inputs) {
    Result<RunFigures> run = Figures(input);
    if (!run) return tl::unexpected(run.error());
    comparison.runs.push_back(std::move(*run));
  }
  const std::vector<double>& base = comparison.runs[0].figures;
  std::string& out = comparison.text;
  out += Printf("%-10s", "figure");
  for (size_t i = 0; i < comparison.runs.size(); ++i) {
    out += Printf(
        "  %22s",
        (std::string(1, static_cast<char>('A' + i)) + (i == 0 ? " (baseline)" : "")).c_str());
  }
  out += "\n";
  for (size_t k = 0; k < std::size(kComparedFigures); ++k) {
    const std::string figure = kComparedFigures[k];
    out += Printf("%-10s", figure.c_str());
    for (size_t i = 0; i < comparison.runs.size(); ++i) {
      const double value = comparison.runs[i].figures[k];
      std::string cell = Value(figure, value);
      if (i > 0) cell += base[k] != 0 ? Printf(" %5.2fx", value / base[k]) : std::string("     -");
      out += Printf("  %22s", cell.c_str());
    }
    out += "\n";
  }
  for (size_t i = 0; i < comparison.runs.size(); ++i) {
    out += Printf("%c: %s\n   %s\n", static_cast<char>('A' + i), comparison.runs[i].input.c_str(),
                  comparison.runs[i].headline.c_str());
  }
  for (const CompareCondition& condition : conditions) {
    const size_t k = FigureIndex(condition.figure);
    for (size_t i = 1; i < comparison.runs.size(); ++i) {
      const double value = comparison.runs[i].figures[k];
      const double bound = condition.factor * base[k];
      const bool failed = condition.greater ? value > bound : value < bound;
      if (!failed) continue;
      comparison.failed.push_back(
          Printf("%s: %c %s is %s A's %s", condition.source.c_str(), static_cast<char>('A' + i),
                 Value(condition.figure, value).c_str(),
                 base[k] != 0 ? Printf("%.2fx", value / base[k]).c_str() : "above",
                 Value(condition.figure, base[k]).c_str()));
    }
  }
  for (const std::string& line : comparison.failed) out += "FAILED " + line + "\n";
  if (!conditions.empty() && comparison.failed.empty()) {
    out += "passed: every --fail-if condition is false\n";
  }
  comparison.html = Html(comparison);
  return comparison;
}

}  // namespace fourdollar::report
