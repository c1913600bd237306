#include "scenario/scenario_values.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "http/url.h"

namespace fourdollar::scenario {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses a whole number (std::from_chars: no leading '+', no spaces).
bool ParseNumber(std::string_view s, double* value) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*value);
}

Error Invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

// `text` in double quotes. (Built by appending: g++ 12 warns falsely (-Wrestrict) on
// "literal" + std::string at -O3.)
std::string Quoted(std::string_view text) {
  std::string result;
  result.reserve(text.size() + 2);
  result += '"';
  result += text;
  result += '"';
  return result;
}

struct MetricRule {
  std::string_view name;
  std::vector<results::Threshold::Aggregate> aggregates;
  bool per_name;  // may take {name:...}
  std::string_view aggregates_text;
};

const std::vector<MetricRule>& MetricRules() {
  using A = results::Threshold::Aggregate;
  static const std::vector<MetricRule> rules = {
      {"http_req_duration",
       {A::kPercentile, A::kAvg, A::kMed, A::kMin, A::kMax},
       true,
       "p(N), avg, med, min or max (milliseconds)"},
      // k6's phases of a request, in milliseconds like the duration.
      {"http_req_blocked",
       {A::kPercentile, A::kAvg, A::kMed, A::kMin, A::kMax},
       true,
       "p(N), avg, med, min or max (milliseconds)"},
      {"http_req_connecting",
       {A::kPercentile, A::kAvg, A::kMed, A::kMin, A::kMax},
       true,
       "p(N), avg, med, min or max (milliseconds)"},
      {"http_req_tls_handshaking",
       {A::kPercentile, A::kAvg, A::kMed, A::kMin, A::kMax},
       true,
       "p(N), avg, med, min or max (milliseconds)"},
      {"http_req_sending",
       {A::kPercentile, A::kAvg, A::kMed, A::kMin, A::kMax},
       true,
       "p(N), avg, med, min or max (milliseconds)"},
      {"http_req_waiting",
       {A::kPercentile, A::kAvg, A::kMed, A::kMin, A::kMax},
       true,
       "p(N), avg, med, min or max (milliseconds)"},
      {"http_req_receiving",
       {A::kPercentile, A::kAvg, A::kMed, A::kMin, A::kMax},
       true,
       "p(N), avg, med, min or max (milliseconds)"},
      {"http_req_failed", {A::kRate}, true, "rate (a fraction of requests)"},
      {"http_reqs", {A::kCount}, true, "count"},
      {"checks", {A::kRate}, true, "rate (the fraction that passed)"},
      {"iterations", {A::kCount}, false, "count"},
      {"dropped_iterations", {A::kCount}, false, "count"},
  };
  return rules;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text) {
  const std::string shown = Quoted(text);
  text = Trim(text);
  if (text.empty())
    return tl::unexpected(Invalid("empty duration; expected e.g. 30s, 500ms, 1m30s"));
  if (text[0] == '-') return tl::unexpected(Invalid("duration " + shown + " is negative"));
  double total_ms = 0;
  while (!text.empty()) {
    const size_t unit_at = text.find_first_not_of("0123456789.");
    double number = 0;
    if (unit_at == 0 || !ParseNumber(text.substr(0, unit_at), &number)) {
      return tl::unexpected(
          Invalid("duration " + shown + ": expected a number and a unit, e.g. 30s, 500ms, 1m30s"));
    }
    if (unit_at == std::string_view::npos) {
      return tl::unexpected(Invalid("duration " + shown +
                                    " has no unit: write ms, s, m or h after the number (e.g. " +
                                    std::string(text) + "s)"));
    }
    text.remove_prefix(unit_at);
    const size_t unit_end = std::min(text.find_first_of("0123456789."), text.size());
    const std::string_view unit = text.substr(0, unit_end);
    double unit_ms = 0;
    if (unit == "ms") {
      unit_ms = 1;
    } else if (unit == "s") {
      unit_ms = 1000;
    } else if (unit == "m") {
      unit_ms = 60'000;
    } else if (unit == "h") {
      unit_ms = 3'600'000;
    } else {
      return tl::unexpected(Invalid("duration " + shown + ": unknown unit \"" + std::string(unit) +
                                    "\"; use ms, s, m or h"));
    }
    total_ms += number * unit_ms;
    text.remove_prefix(unit_end);
  }
  if (total_ms > 1e15) return tl::unexpected(Invalid("duration " + shown + " is too long"));
  return static_cast<int64_t>(std::llround(total_ms));
}

Result<std::vector<Stage>> ParseStagesFlag(std::string_view text) {
  std::vector<Stage> stages;
  size_t item_number = 0;
  while (true) {
    ++item_number;
    const size_t comma = text.find(',');
    const std::string_view item = Trim(text.substr(0, comma));
    const std::string where =
        "stage " + std::to_string(item_number) + " \"" + std::string(item) + "\"";
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return tl::unexpected(Invalid(where + ": expected DURATION:TARGET, e.g. 30s:50"));
    }
    auto duration = ParseDurationMs(item.substr(0, colon));
    if (!duration) return tl::unexpected(Invalid(where + ": " + duration.error().message));
    Stage stage;
    stage.duration_ms = *duration;
    if (!ParseNumber(Trim(item.substr(colon + 1)), &stage.target) || stage.target < 0) {
      return tl::unexpected(Invalid(where + ": the target must be a number >= 0"));
    }
    stages.push_back(stage);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return stages;
}

const std::vector<std::string_view>& ThresholdMetrics() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> result;
    for (const MetricRule& rule : MetricRules()) result.push_back(rule.name);
    return result;
  }();
  return names;
}

Result<results::Threshold> ParseThreshold(std::string_view key, std::string_view expression) {
  using A = results::Threshold::Aggregate;
  results::Threshold threshold;
  threshold.source = std::string(expression);
  key = Trim(key);
  const size_t brace = key.find('{');
  const std::string_view metric = Trim(key.substr(0, brace));
  const auto rule = std::find_if(MetricRules().begin(), MetricRules().end(),
                                 [&](const MetricRule& r) { return r.name == metric; });
  if (rule == MetricRules().end()) {
    std::string message = "unknown metric \"" + std::string(metric) + "\"";
    if (auto close = ClosestMatch(metric, ThresholdMetrics()); !close.empty()) {
      message += " (did you mean " + std::string(close) + "?)";
    }
    message +=
        "; known: http_req_duration, http_req_failed, http_reqs, checks, iterations, "
        "dropped_iterations";
    return tl::unexpected(Invalid(message));
  }
  threshold.metric = std::string(metric);
  if (brace != std::string_view::npos) {
    std::string_view tag = key.substr(brace + 1);
    if (!tag.ends_with('}') || !Trim(tag.substr(0, tag.size() - 1)).starts_with("name:")) {
      return tl::unexpected(Invalid(Quoted(key) + ": the only filter is {name:NAME}, e.g. "
                                                  "http_req_duration{name:list}"));
    }
    tag = Trim(tag.substr(0, tag.size() - 1));
    threshold.name_filter = std::string(Trim(tag.substr(5)));
    if (threshold.name_filter.empty()) {
      return tl::unexpected(Invalid(Quoted(key) + ": empty name in {name:...}"));
    }
    if (!rule->per_name) {
      return tl::unexpected(Invalid(std::string(metric) + " is not measured per request name"));
    }
  }

  std::string_view rest = Trim(expression);
  const std::string shown = "threshold \"" + std::string(expression) + "\"";
  if (rest.starts_with("p(")) {
    const size_t close = rest.find(')');
    if (close == std::string_view::npos ||
        !ParseNumber(Trim(rest.substr(2, close - 2)), &threshold.percentile) ||
        threshold.percentile <= 0 || threshold.percentile > 100) {
      return tl::unexpected(Invalid(shown + ": expected p(N) with 0 < N <= 100, e.g. p(95)"));
    }
    threshold.aggregate = A::kPercentile;
    rest.remove_prefix(close + 1);
  } else {
    const size_t end = std::min(rest.find_first_of("<>=! \t"), rest.size());
    const std::string_view name = rest.substr(0, end);
    static const std::vector<std::pair<std::string_view, A>> kAggregates = {
        {"avg", A::kAvg}, {"med", A::kMed},   {"min", A::kMin},
        {"max", A::kMax}, {"rate", A::kRate}, {"count", A::kCount}};
    const auto found = std::find_if(kAggregates.begin(), kAggregates.end(),
                                    [&](const auto& entry) { return entry.first == name; });
    if (found == kAggregates.end()) {
      return tl::unexpected(Invalid(shown + ": unknown aggregate \"" + std::string(name) + "\"; " +
                                    std::string(metric) + " takes " +
                                    std::string(rule->aggregates_text)));
    }
    threshold.aggregate = found->second;
    rest.remove_prefix(end);
  }
  if (std::find(rule->aggregates.begin(), rule->aggregates.end(), threshold.aggregate) ==
      rule->aggregates.end()) {
    return tl::unexpected(Invalid(shown + ": " + std::string(metric) + " takes " +
                                  std::string(rule->aggregates_text)));
  }

  rest = Trim(rest);
  static const std::vector<std::pair<std::string_view, results::Threshold::Op>> kOps = {
      {"<=", results::Threshold::Op::kLessEqual}, {">=", results::Threshold::Op::kGreaterEqual},
      {"==", results::Threshold::Op::kEqual},     {"!=", results::Threshold::Op::kNotEqual},
      {"<", results::Threshold::Op::kLess},       {">", results::Threshold::Op::kGreater}};
  const auto op = std::find_if(kOps.begin(), kOps.end(),
                               [&](const auto& entry) { return rest.starts_with(entry.first); });
  if (op == kOps.end()) {
    return tl::unexpected(Invalid(shown + ": expected a comparison (<, <=, >, >=, ==, !=) after "
                                          "the aggregate"));
  }
  threshold.op = op->second;
  rest = Trim(rest.substr(op->first.size()));
  if (!ParseNumber(rest, &threshold.value)) {
    return tl::unexpected(Invalid(shown + ": expected a number after the comparison, got \"" +
                                  std::string(rest) + "\""));
  }
  if (threshold.aggregate == A::kRate && (threshold.value < 0 || threshold.value > 1)) {
    return tl::unexpected(Invalid(shown + ": a rate is a fraction between 0 and 1 (0.01 is 1%)"));
  }
  return threshold;
}

Result<std::string> NormalizeTarget(std::string_view url) {
  auto parsed = http::ParseHttpUrl(url);
  if (!parsed) return tl::unexpected(parsed.error());
  if (parsed->target != "/") {
    return tl::unexpected(Invalid("target \"" + std::string(url) +
                                  "\": give only http[s]://HOST[:PORT]; paths belong to the "
                                  "steps"));
  }
  std::string result(url);
  if (result.ends_with('/')) result.pop_back();
  return result;
}

std::string_view ClosestMatch(std::string_view word,
                              const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view candidate : candidates) {
    const size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace fourdollar::scenario
