// CSV as the results files use it (RFC 4180): fields quoted when they hold a comma, a quote,
// CR or LF, quotes doubled inside. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace fourdollar::results {

// Appends `field` to `out`, quoted when needed.
void AppendCsvField(std::string& out, std::string_view field);

// The shortest decimal text that reads back as the same double ("0.5", "1234", "1e-07").
std::string FormatDouble(double value);

struct CsvRecord {
  size_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

// Splits text into records (one per line; a quoted field may span lines). A final newline is
// optional; blank lines are errors. `file` names the source in messages ("seconds.csv line 3:
// unterminated quoted field").
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, std::string_view file);

}  // namespace fourdollar::results
