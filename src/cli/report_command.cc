#include "cli/report_command.h"

#include <cstdio>

#include "report/report.h"

namespace fourdollar::cli {

void AddReportCommand(CLI::App& app, ReportConfig& config) {
  CLI::App* report = app.add_subcommand(
      "report", "Write one self-contained HTML report from load results or k6 CSV files");
  report
      ->add_option("results", config.inputs,
                   "Results folders of `fourdollar load` (segments of one test are merged) or "
                   "k6 CSV files (plain or gzip)")
      ->required();
  report->add_option("--out", config.out_html, "The HTML file to write")->capture_default_str();
}

int RunReportCommand(const ReportConfig& config) {
  Result<report::BuiltReport> built = report::BuildReport(config.inputs);
  if (!built) {
    std::fprintf(stderr, "fourdollar report: %s\n", built.error().message.c_str());
    return 2;
  }
  if (Status written = report::WriteTextFile(config.out_html, built->html); !written) {
    std::fprintf(stderr, "fourdollar report: %s\n", written.error().message.c_str());
    return 2;
  }
  std::fputs(built->text.c_str(), stdout);
  std::printf("  report: %s\n", config.out_html.c_str());
  return 0;
}

}  // namespace fourdollar::cli
