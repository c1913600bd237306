// The report page: HTML with uPlot, the page's script and style, and the data as JSON, all
// inline. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "report/inputs.h"
#include "report/report.h"

namespace fourdollar::report {

// What the page's script draws: the run, per-second series, the latency against the achieved
// rate, percentile curves per name, tables, thresholds, warnings and the knee.
boost::json::object PageData(const LoadedRun& run, const ReportSummary& summary,
                             const std::vector<std::string>& warnings);

// The whole page. The JSON is embedded with every '<' escaped, so no text in it (a request
// name, a target URL) can end the script element.
std::string RenderHtml(const boost::json::object& data, const std::string& headline);

}  // namespace fourdollar::report
