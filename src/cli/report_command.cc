#include "cli/report_command.h"

#include <cstdio>

#include "report/compare.h"
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
  report->add_flag("--compare", config.compare,
                   "Put the inputs side by side (results folders, bench folders or k6 CSV "
                   "files): each figure with its ratio to the first");
  report->add_option("--fail-if", config.fail_if,
                     "With --compare: exit 99 when a figure of a later input is above (>) or "
                     "below (<) a factor of the first's, e.g. 'p95 > 1.10x' (repeatable)");
}

namespace {

int RunCompare(const ReportConfig& config) {
  std::vector<report::CompareCondition> conditions;
  for (const std::string& text : config.fail_if) {
    Result<report::CompareCondition> condition = report::ParseCondition(text);
    if (!condition) {
      std::fprintf(stderr, "fourdollar report: %s\n", condition.error().message.c_str());
      return 2;
    }
    conditions.push_back(*condition);
  }
  Result<report::Comparison> comparison = report::Compare(config.inputs, conditions);
  if (!comparison) {
    std::fprintf(stderr, "fourdollar report: %s\n", comparison.error().message.c_str());
    return 2;
  }
  if (Status written = report::WriteTextFile(config.out_html, comparison->html); !written) {
    std::fprintf(stderr, "fourdollar report: %s\n", written.error().message.c_str());
    return 2;
  }
  std::fputs(comparison->text.c_str(), stdout);
  std::printf("  report: %s\n", config.out_html.c_str());
  return comparison->failed.empty() ? 0 : 99;
}

}  // namespace

int RunReportCommand(const ReportConfig& config) {
  if (config.compare) return RunCompare(config);
  if (!config.fail_if.empty()) {
    std::fprintf(stderr, "fourdollar report: --fail-if needs --compare\n");
    return 2;
  }
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
