// `fourdollar report`: one self-contained HTML file (uPlot and the data embedded; it makes no
// network request when opened) and a plain-text summary, from results folders of
// `fourdollar load` or k6 CSV files. docs/report.md describes the page and the knee.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "report/inputs.h"
#include "report/knee.h"

namespace fourdollar::report {

struct ReportSummary {
  // "Capacity: about N requests/s at p95 <= X ms; beyond it latency rises to Y ms.", or a
  // sentence saying that no knee was reached, with the peak.
  std::string headline;
  Knee knee;
  double peak_requests_per_second = 0;  // the highest per-second achieved rate
};

// Reads the inputs (result folders or k6 CSV files; several are merged as segments of one
// test), writes the HTML to out_html (replacing it) and returns the summary. When warnings_text
// is given it receives the warnings (saturated generator, dropped iterations, failures,
// skipped lines, failed thresholds), one per line, or "" when there are none. Errors name the
// input or the output file.
Result<ReportSummary> WriteReport(const std::vector<std::string>& inputs,
                                  const std::string& out_html,
                                  std::string* warnings_text = nullptr);

// Everything WriteReport makes, before it is written.
struct BuiltReport {
  LoadedRun run;
  ReportSummary summary;
  std::vector<std::string> warnings;
  std::string html;
  std::string text;  // the plain-text summary (FormatTextSummary)
};
Result<BuiltReport> BuildReport(const std::vector<std::string>& inputs);
// Writes html to `path` (replacing it); the error names the file.
Status WriteTextFile(const std::string& path, const std::string& content);

// The pieces BuildReport is made of.
ReportSummary Summarize(const results::Results& results);
std::vector<std::string> Warnings(const LoadedRun& run, const ReportSummary& summary);
// The plain text printed on stdout: headline, the run, totals, per name, warnings.
std::string FormatTextSummary(const LoadedRun& run, const ReportSummary& summary,
                              const std::vector<std::string>& warnings);

}  // namespace fourdollar::report
