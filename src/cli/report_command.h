// `fourdollar report RESULTS... [--out report.html]`: the HTML report and a text summary.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace fourdollar::cli {

struct ReportConfig {
  std::vector<std::string> inputs;  // results folders of `fourdollar load` or k6 CSV files
  std::string out_html = "report.html";
};

void AddReportCommand(CLI::App& app, ReportConfig& config);
// Writes the HTML, prints the summary on stdout; 0, or 2 with the error on stderr.
int RunReportCommand(const ReportConfig& config);

}  // namespace fourdollar::cli
