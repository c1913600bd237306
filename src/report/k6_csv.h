// Reads the CSV output of k6 (`k6 run --out csv=FILE`) into the same per-second figures a
// `fourdollar load` run records, so the report treats both alike.
//
// Columns are found by the header line, not by position (k6 has written 16, 18 and 19 of
// them over its versions); metric_name, timestamp and metric_value are required, name, url,
// status and error are used when present. Timestamps: see timestamp.h. Files may be gzip.
//
// What is taken:
//   http_req_duration    one request: its duration (ms), its second (by its timestamp), its
//                        name (the `name` column, else `url`), its status
//   http_req_failed      value 1: the request failed (kind: status when it had a status,
//                        else timeout or reset when `error` says so, else connect). Files
//                        without any http_req_failed row count statuses 0 and >= 400 as failed
//   iterations, dropped_iterations, checks (1 passed, 0 failed), vus (the largest per second)
// Other metrics are skipped. A malformed line (wrong number of fields, unterminated quote, a
// timestamp or value that does not parse) is skipped, counted and, for the first 20, described
// with its line number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "results/results.h"

namespace fourdollar::report {

struct K6Import {
  results::Results results;  // run.model is "k6"; seconds from the earliest timestamp
  uint64_t data_lines = 0;   // records after the header, the skipped ones included
  uint64_t skipped_lines = 0;
  std::vector<std::string> skipped_examples;  // "FILE line N: why", the first 20
};

inline constexpr size_t kSkippedExamples = 20;

// Reads a file (plain or gzip). Errors: the file cannot be read, has no header, or its header
// lacks a required column.
Result<K6Import> ReadK6Csv(const std::string& path);

// The same over text in memory; `file` names it in messages.
Result<K6Import> ParseK6Csv(std::string_view text, const std::string& file);

// True when `head` (the first bytes of a file) looks like k6 CSV: it starts with the gzip magic
// bytes or with a header line naming metric_name.
bool LooksLikeK6Csv(std::string_view head);

}  // namespace fourdollar::report
