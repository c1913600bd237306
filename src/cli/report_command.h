// `fourdollar report RESULTS... [--out report.html]`: the HTML report and a text summary;
// `fourdollar report --compare A B [C...] [--fail-if 'p95 > 1.10x']...`: runs side by side.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace fourdollar::cli {

struct ReportConfig {
  std::vector<std::string> inputs;  // results folders of `fourdollar load` or k6 CSV files
  std::string out_html = "report.html";
  bool compare = false;              // --compare: the inputs side by side
  std::vector<std::string> fail_if;  // --fail-if conditions of a comparison
};

void AddReportCommand(CLI::App& app, ReportConfig& config);
// Writes the HTML, prints the summary on stdout; 0, or 2 with the error on stderr. With
// --compare: the comparison, and 99 when a --fail-if condition holds.
int RunReportCommand(const ReportConfig& config);

}  // namespace fourdollar::cli
