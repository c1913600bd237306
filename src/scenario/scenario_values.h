// The small value syntaxes of scenario files and of the load command's flags: durations, stages,
// threshold expressions and http:// URLs. Pure functions; messages say what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scenario/scenario.h"

namespace fourdollar::scenario {

// "500ms", "30s", "2m", "1h", "1m30s", "1.5s": numbers each followed by a unit (ms, s, m, h),
// rounded to milliseconds. A plain number, a negative value or an unknown unit is an error.
Result<int64_t> ParseDurationMs(std::string_view text);

// "10s:50,10s:0" (the --stages flag): DURATION:TARGET items separated by commas; targets are
// numbers >= 0. At least one item.
Result<std::vector<Stage>> ParseStagesFlag(std::string_view text);

// A threshold from its key ("http_req_duration" or "http_req_duration{name:list}") and one
// expression ("p(95)<50", "avg<=10", "rate<0.01", "count>100"). The metric must be known and
// the aggregate must suit it (see docs/scenario-format.md).
Result<results::Threshold> ParseThreshold(std::string_view key, std::string_view expression);

// The metrics a threshold may name.
const std::vector<std::string_view>& ThresholdMetrics();

// Checks a base URL (a scenario's `target:` or --target): "http://host[:port]", optionally with
// a trailing "/", and returns it without the slash. A path or query is an error: they belong to
// the steps' URLs.
Result<std::string> NormalizeTarget(std::string_view url);

// The closest of `candidates` to `word` when it is a likely misspelling (edit distance <= 2),
// else "".
std::string_view ClosestMatch(std::string_view word,
                              const std::vector<std::string_view>& candidates);

}  // namespace fourdollar::scenario
