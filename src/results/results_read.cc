// ReadResults (declared in results_files.h).
#include <boost/json.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "results/results_csv.h"
#include "results/results_files.h"
#include "results/thresholds_eval.h"

namespace fourdollar::results {
namespace {

namespace json = boost::json;

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return MakeError(ErrorCode::kNotFound, "cannot read " + path.string());
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) return MakeError(ErrorCode::kIo, "cannot read " + path.string());
  return content.str();
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

tl::unexpected<Error> Bad(std::string_view where, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(where) + ": " + what);
}

// Seconds count from the run's start and a run lasts at most kMaxRunSeconds.
Status CheckSecond(int64_t second, std::string_view where) {
  if (second >= 0 && second < kMaxRunSeconds) return {};
  return Bad(where, "second " + std::to_string(second) + " is outside 0.." +
                        std::to_string(kMaxRunSeconds - 1) + " (a run lasts at most a week)");
}

// summary.json ------------------------------------------------------------------------------

// Reads typed members of a JSON object; `where` names it in messages ("summary.json: run").
class JsonFields {
 public:
  JsonFields(const json::value& value, std::string where) : where_(std::move(where)) {
    object_ = value.if_object();
  }
  bool is_object() const { return object_ != nullptr; }
  const std::string& where() const { return where_; }

  Result<const json::value*> Get(std::string_view key) const {
    const json::value* member = object_ ? object_->if_contains(key) : nullptr;
    if (member == nullptr) return Bad(where_, "missing key '" + std::string(key) + "'");
    return member;
  }
  template <typename T>
  Status Number(std::string_view key, T* out) const {
    auto member = Get(key);
    if (!member) return tl::unexpected(member.error());
    json::error_code ec;
    const T value = (*member)->to_number<T>(ec);
    if (ec) return Bad(where_, "'" + std::string(key) + "' is not a suitable number");
    *out = value;
    return {};
  }
  Status String(std::string_view key, std::string* out) const {
    auto member = Get(key);
    if (!member) return tl::unexpected(member.error());
    if (!(*member)->is_string()) return Bad(where_, "'" + std::string(key) + "' is not a string");
    *out = std::string((*member)->get_string());
    return {};
  }
  Status Bool(std::string_view key, bool* out) const {
    auto member = Get(key);
    if (!member) return tl::unexpected(member.error());
    if (!(*member)->is_bool()) return Bad(where_, "'" + std::string(key) + "' is not a boolean");
    *out = (*member)->get_bool();
    return {};
  }

 private:
  const json::object* object_ = nullptr;
  std::string where_;
};

#define FOURDOLLAR_TRY(expr)                           \
  if (auto status_ = (expr); !status_) {               \
    return tl::unexpected(std::move(status_.error())); \
  }

Status ParseAggregate(const std::string& text, Threshold* t, const std::string& where) {
  using Aggregate = Threshold::Aggregate;
  static constexpr std::pair<const char*, Aggregate> kNames[] = {
      {"avg", Aggregate::kAvg}, {"min", Aggregate::kMin},   {"max", Aggregate::kMax},
      {"med", Aggregate::kMed}, {"rate", Aggregate::kRate}, {"count", Aggregate::kCount}};
  for (const auto& [name, aggregate] : kNames) {
    if (text == name) {
      t->aggregate = aggregate;
      return {};
    }
  }
  if (text.size() > 3 && text.starts_with("p(") && text.back() == ')' &&
      ParseNumber(std::string_view(text).substr(2, text.size() - 3), &t->percentile)) {
    t->aggregate = Aggregate::kPercentile;
    return {};
  }
  return Bad(where, "unknown aggregate '" + text + "'");
}

Status ParseOp(const std::string& text, Threshold* t, const std::string& where) {
  for (auto op : {Threshold::Op::kLess, Threshold::Op::kLessEqual, Threshold::Op::kGreater,
                  Threshold::Op::kGreaterEqual, Threshold::Op::kEqual, Threshold::Op::kNotEqual}) {
    if (text == OpText(op)) {
      t->op = op;
      return {};
    }
  }
  return Bad(where, "unknown operator '" + text + "'");
}

Status ReadSummary(const std::string& text, Results* results) {
  json::error_code ec;
  const json::value root = json::parse(text, ec);
  if (ec) return Bad("summary.json", "not JSON (" + ec.message() + ")");
  const JsonFields top(root, "summary.json");
  if (!top.is_object()) return Bad("summary.json", "not a JSON object");
  std::string format;
  FOURDOLLAR_TRY(top.String("format", &format));
  if (format != "fourdollar-results") {
    return Bad("summary.json", "format is '" + format + "', not 'fourdollar-results'");
  }
  RunInfo& run = results->run;
  FOURDOLLAR_TRY(top.Number("version", &run.version));
  if (run.version != 1) {
    return Bad("summary.json",
               "version " + std::to_string(run.version) + " is not supported (this build reads 1)");
  }
  auto run_value = top.Get("run");
  if (!run_value) return tl::unexpected(run_value.error());
  const JsonFields r(**run_value, "summary.json: run");
  if (!r.is_object()) return Bad(r.where(), "not an object");
  FOURDOLLAR_TRY(r.String("scenario_path", &run.scenario_path));
  FOURDOLLAR_TRY(r.String("target", &run.target));
  FOURDOLLAR_TRY(r.Number("start_unix_ms", &run.start_unix_ms));
  // Absent from folders written before --start-at existed; null when it was not given.
  if (auto start_at = r.Get("start_at_unix_ms"); start_at && !(*start_at)->is_null()) {
    FOURDOLLAR_TRY(r.Number("start_at_unix_ms", &run.start_at_unix_ms));
  }
  FOURDOLLAR_TRY(r.Number("duration_ms", &run.duration_ms));
  if (run.start_unix_ms < 0 || run.start_unix_ms > kMaxStartUnixMs) {
    return Bad(r.where(), "start_unix_ms " + std::to_string(run.start_unix_ms) +
                              " is not a time between 1970 and 9999");
  }
  if (run.duration_ms < 0 || run.duration_ms > kMaxRunSeconds * 1000) {
    return Bad(r.where(), "duration_ms " + std::to_string(run.duration_ms) + " is outside 0.." +
                              std::to_string(kMaxRunSeconds * 1000) + " (a week)");
  }
  FOURDOLLAR_TRY(r.String("segment", &run.segment));
  FOURDOLLAR_TRY(r.Number("threads", &run.threads));
  FOURDOLLAR_TRY(r.String("model", &run.model));
  FOURDOLLAR_TRY(r.Bool("interrupted", &run.interrupted));
  FOURDOLLAR_TRY(r.Bool("generator_saturated", &run.generator_saturated));
  FOURDOLLAR_TRY(r.Number("generator_cpu_max", &run.generator_cpu_max));
  auto names = r.Get("names");
  if (!names) return tl::unexpected(names.error());
  if (!(*names)->is_array()) return Bad(r.where(), "'names' is not an array");
  for (const json::value& name : (*names)->get_array()) {
    if (!name.is_string()) return Bad(r.where(), "'names' holds something other than strings");
    run.names.emplace_back(name.get_string());
  }

  auto thresholds = top.Get("thresholds");
  if (!thresholds) return tl::unexpected(thresholds.error());
  if (!(*thresholds)->is_array()) return Bad("summary.json", "'thresholds' is not an array");
  size_t i = 0;
  for (const json::value& entry : (*thresholds)->get_array()) {
    const JsonFields f(entry, "summary.json: thresholds[" + std::to_string(i++) + "]");
    if (!f.is_object()) return Bad(f.where(), "not an object");
    ThresholdOutcome outcome;
    Threshold& t = outcome.threshold;
    std::string aggregate;
    std::string op;
    FOURDOLLAR_TRY(f.String("metric", &t.metric));
    FOURDOLLAR_TRY(f.String("name", &t.name_filter));
    FOURDOLLAR_TRY(f.String("source", &t.source));
    FOURDOLLAR_TRY(f.String("aggregate", &aggregate));
    FOURDOLLAR_TRY(ParseAggregate(aggregate, &t, f.where()));
    FOURDOLLAR_TRY(f.String("op", &op));
    FOURDOLLAR_TRY(ParseOp(op, &t, f.where()));
    FOURDOLLAR_TRY(f.Number("value", &t.value));
    FOURDOLLAR_TRY(f.Bool("evaluated", &outcome.evaluated));
    FOURDOLLAR_TRY(f.Number("observed", &outcome.observed));
    FOURDOLLAR_TRY(f.Bool("passed", &outcome.passed));
    FOURDOLLAR_TRY(f.String("detail", &outcome.detail));
    results->thresholds.push_back(std::move(outcome));
  }
  return {};
}

// histograms.txt ----------------------------------------------------------------------------

struct HistogramTotals {
  std::map<uint32_t, std::pair<size_t, NameSecond>> names;  // line, figures
  std::optional<std::pair<size_t, NameSecond>> overall;
};

// Splits "key:n,key:n" ("-" for none) into pairs for `take(key, count)`, which returns false
// for a key it does not know; `what` names the field in errors.
template <typename Take>
Status ParsePairs(std::string_view text, std::string_view what, const std::string& where,
                  Take take) {
  if (text == "-") return {};
  while (!text.empty()) {
    const size_t comma = std::min(text.find(','), text.size());
    const std::string_view item = text.substr(0, comma);
    text.remove_prefix(std::min(comma + 1, text.size()));
    const size_t colon = item.find(':');
    uint64_t n = 0;
    if (colon == std::string_view::npos || !ParseNumber(item.substr(colon + 1), &n) ||
        !take(item.substr(0, colon), n)) {
      return Bad(where, std::string(what) + ": '" + std::string(item) + "' is not '<" +
                            (what == "failures" ? "kind" : "status") + ">:<count>'");
    }
  }
  return {};
}

// "kind:n,kind:n" or "-".
Status ParseFailures(std::string_view text, NameSecond* figures, const std::string& where) {
  return ParsePairs(text, "failures", where, [figures](std::string_view key, uint64_t n) {
    for (size_t kind = 1; kind < kFailureKinds; ++kind) {
      if (key == FailureKindName(static_cast<FailureKind>(kind))) {
        figures->failures[kind] = n;
        return true;
      }
    }
    return false;
  });
}

// "status:n,status:n" or "-".
Status ParseStatuses(std::string_view text, NameSecond* figures, const std::string& where) {
  return ParsePairs(text, "by_status", where, [figures](std::string_view key, uint64_t n) {
    int status = 0;
    if (!ParseNumber(key, &status)) return false;
    figures->by_status[status] = n;
    return true;
  });
}

Status ReadHistograms(std::string_view text, const RunInfo& run, std::map<int64_t, SecondRow>* rows,
                      HistogramTotals* totals) {
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::string where = "histograms.txt line " + std::to_string(++line_number);
    if (line_number == 1) {
      if (line != kHistogramsHeader) {
        return Bad(where, "expected '" + std::string(kHistogramsHeader) + "'");
      }
      continue;
    }
    if (line.starts_with("#")) continue;
    std::vector<std::string_view> fields;
    for (size_t pos = 0; pos <= line.size();) {
      const size_t tab = std::min(line.find('\t', pos), line.size());
      fields.push_back(line.substr(pos, tab - pos));
      pos = tab + 1;
    }
    if (fields.size() != 8 && fields.size() != 8 + 1 + kPhases) {
      return Bad(where, "expected 8 (or with phases 15) tab-separated fields, found " +
                            std::to_string(fields.size()));
    }
    const bool total = fields[0] == "total";
    int64_t second = 0;
    if (!total && !ParseNumber(fields[0], &second)) {
      return Bad(where, "time '" + std::string(fields[0]) + "' is neither a second nor 'total'");
    }
    if (!total) {
      FOURDOLLAR_TRY(CheckSecond(second, where));
    }
    const bool all = fields[1] == "*";
    uint32_t index = 0;
    if (!all && (!ParseNumber(fields[1], &index) || index >= run.names.size())) {
      return Bad(where, "name '" + std::string(fields[1]) + "' is not '*' nor an index below " +
                            std::to_string(run.names.size()));
    }
    if (all && !total) return Bad(where, "'*' is only for totals");
    NameSecond figures;
    if (!ParseNumber(fields[2], &figures.requests) ||
        !ParseNumber(fields[3], &figures.bytes_sent) ||
        !ParseNumber(fields[4], &figures.bytes_received)) {
      return Bad(where, "requests, bytes_sent and bytes_received must be counts");
    }
    FOURDOLLAR_TRY(ParseFailures(fields[5], &figures, where));
    FOURDOLLAR_TRY(ParseStatuses(fields[6], &figures, where));
    auto histogram = LatencyHistogram::ParseText(fields[7]);
    if (!histogram) return Bad(where, histogram.error().message);
    figures.duration = std::move(*histogram);
    if (fields.size() > 8) {
      const std::string_view tls = fields[8];
      const size_t slash = tls.find('/');
      if (slash == std::string_view::npos ||
          !ParseNumber(tls.substr(0, slash), &figures.tls_full_handshakes) ||
          !ParseNumber(tls.substr(slash + 1), &figures.tls_resumed_handshakes)) {
        return Bad(where, "TLS handshakes '" + std::string(tls) + "' are not FULL/RESUMED counts");
      }
      for (size_t i = 0; i < kPhases; ++i) {
        auto phase = LatencyHistogram::ParseText(fields[9 + i]);
        if (!phase)
          return Bad(where, std::string(PhaseMetricName(i)) + ": " + phase.error().message);
        figures.phases[i] = std::move(*phase);
      }
    }
    if (figures.duration.count() != figures.requests) {
      return Bad(where, "the histogram holds " + std::to_string(figures.duration.count()) +
                            " values for " + std::to_string(figures.requests) + " requests");
    }
    if (total && all) {
      if (totals->overall) return Bad(where, "a second overall total");
      totals->overall.emplace(line_number, std::move(figures));
    } else if (total) {
      if (!totals->names.emplace(index, std::make_pair(line_number, std::move(figures))).second) {
        return Bad(where, "a second total for name index " + std::to_string(index));
      }
    } else {
      SecondRow& row = (*rows)[second];
      if (!row.data.names.emplace(index, std::move(figures)).second) {
        return Bad(where, "a second line for name index " + std::to_string(index) + " in second " +
                              std::to_string(second));
      }
    }
  }
  if (line_number == 0) return Bad("histograms.txt", "empty");
  if (!totals->overall) return Bad("histograms.txt", "no overall total line ('total\\t*')");
  return {};
}

// seconds.csv and scrape.csv ----------------------------------------------------------------

template <typename T>
Status Field(const CsvRecord& record, size_t column, std::string_view file, T* out) {
  if (!ParseNumber(std::string_view(record.fields[column]), out)) {
    return Bad(std::string(file) + " line " + std::to_string(record.line),
               "column " + std::to_string(column + 1) + " '" + record.fields[column] +
                   "' is not a number");
  }
  return {};
}

template <typename T>
Status OptionalField(const CsvRecord& record, size_t column, std::string_view file,
                     std::optional<T>* out) {
  if (record.fields[column].empty()) return {};
  T value{};
  FOURDOLLAR_TRY(Field(record, column, file, &value));
  *out = value;
  return {};
}

Result<std::vector<CsvRecord>> ReadCsv(const std::string& text, std::string_view file,
                                       std::string_view header, size_t columns) {
  auto records = ParseCsv(text, file);
  if (!records) return tl::unexpected(records.error());
  if (records->empty()) return Bad(file, "empty");
  std::string first;
  for (const std::string& field : records->front().fields) {
    if (!first.empty()) first.push_back(',');
    first += field;
  }
  if (first != header)
    return Bad(std::string(file) + " line 1", "expected the header " + std::string(header));
  for (const CsvRecord& record : *records) {
    if (record.fields.size() != columns) {
      return Bad(std::string(file) + " line " + std::to_string(record.line),
                 "expected " + std::to_string(columns) + " columns, found " +
                     std::to_string(record.fields.size()));
    }
  }
  records->erase(records->begin());
  return records;
}

Status ReadSecondsCsv(const std::string& text, const RunInfo& run,
                      std::map<int64_t, SecondRow>* rows) {
  constexpr std::string_view kFile = "seconds.csv";
  auto records = ReadCsv(text, kFile, kSecondsCsvHeader, 20);
  if (!records) return tl::unexpected(records.error());
  for (const CsvRecord& record : *records) {
    const std::string where = "seconds.csv line " + std::to_string(record.line);
    int64_t second = 0;
    int64_t unix_ms = 0;
    FOURDOLLAR_TRY(Field(record, 0, kFile, &second));
    FOURDOLLAR_TRY(CheckSecond(second, where));
    FOURDOLLAR_TRY(Field(record, 1, kFile, &unix_ms));
    if (unix_ms != run.start_unix_ms + second * 1000) {
      return Bad(where, "unix_ms does not match the run's start and time_s");
    }
    const std::string& name = record.fields[2];
    uint64_t requests = 0;
    FOURDOLLAR_TRY(Field(record, 5, kFile, &requests));
    SecondRow& row = (*rows)[second];
    if (name != "*") {
      auto it = std::find(run.names.begin(), run.names.end(), name);
      if (it == run.names.end()) return Bad(where, "unknown name '" + name + "'");
      auto figures = row.data.names.find(static_cast<uint32_t>(it - run.names.begin()));
      const uint64_t expected = figures == row.data.names.end() ? 0 : figures->second.requests;
      if (requests != expected) {
        return Bad(where, std::to_string(requests) + " requests for '" + name +
                              "' but histograms.txt has " + std::to_string(expected));
      }
      continue;
    }
    FOURDOLLAR_TRY(Field(record, 3, kFile, &row.data.active_vus));
    FOURDOLLAR_TRY(Field(record, 4, kFile, &row.data.offered_rate));
    FOURDOLLAR_TRY(OptionalField(record, 13, kFile, &row.server_cpu_percent));
    FOURDOLLAR_TRY(OptionalField(record, 14, kFile, &row.server_rss_bytes));
    FOURDOLLAR_TRY(OptionalField(record, 15, kFile, &row.generator_cpu_percent));
    FOURDOLLAR_TRY(Field(record, 16, kFile, &row.data.iterations));
    FOURDOLLAR_TRY(Field(record, 17, kFile, &row.data.dropped_iterations));
    FOURDOLLAR_TRY(Field(record, 18, kFile, &row.data.checks_passed));
    FOURDOLLAR_TRY(Field(record, 19, kFile, &row.data.checks_failed));
  }
  return {};
}

Status ReadScrapeCsv(const std::string& text, std::map<int64_t, SecondRow>* rows) {
  constexpr std::string_view kFile = "scrape.csv";
  auto records = ReadCsv(text, kFile, kScrapeCsvHeader, 4);
  if (!records) return tl::unexpected(records.error());
  for (const CsvRecord& record : *records) {
    int64_t second = 0;
    double value = 0;
    FOURDOLLAR_TRY(Field(record, 0, kFile, &second));
    FOURDOLLAR_TRY(
        CheckSecond(second, std::string(kFile) + " line " + std::to_string(record.line)));
    FOURDOLLAR_TRY(Field(record, 3, kFile, &value));
    (*rows)[second].scrape[record.fields[2]] = value;
  }
  return {};
}

}  // namespace

Result<Results> ReadResults(const std::string& dir) {
  const std::filesystem::path base(dir);
  std::string texts[4];
  const char* files[4] = {"summary.json", "histograms.txt", "seconds.csv", "scrape.csv"};
  for (int i = 0; i < 4; ++i) {
    auto text = ReadFile(base / files[i]);
    if (!text) return tl::unexpected(text.error());
    texts[i] = std::move(*text);
  }
  Results results;
  FOURDOLLAR_TRY(ReadSummary(texts[0], &results));
  std::map<int64_t, SecondRow> rows;
  HistogramTotals totals;
  FOURDOLLAR_TRY(ReadHistograms(texts[1], results.run, &rows, &totals));
  FOURDOLLAR_TRY(ReadSecondsCsv(texts[2], results.run, &rows));
  FOURDOLLAR_TRY(ReadScrapeCsv(texts[3], &rows));
  if (!rows.empty()) {
    for (int64_t second = rows.begin()->first; second <= rows.rbegin()->first; ++second) {
      SecondRow& row = rows[second];
      row.second = row.data.second = second;
      results.seconds.push_back(std::move(row));
    }
  }
  ComputeTotals(results);
  if (totals.names.size() != results.names.size()) {
    return Bad("histograms.txt", "totals for " + std::to_string(totals.names.size()) +
                                     " names, but the seconds have " +
                                     std::to_string(results.names.size()));
  }
  for (const auto& [index, entry] : totals.names) {
    auto it = results.names.find(index);
    if (it == results.names.end() ? entry.second != NameSecond() : entry.second != it->second) {
      return Bad(
          "histograms.txt line " + std::to_string(entry.first),
          "the total for '" + results.run.names[index] + "' disagrees with the sum of its seconds");
    }
  }
  if (totals.overall->second != results.overall) {
    return Bad("histograms.txt line " + std::to_string(totals.overall->first),
               "the overall total disagrees with the sum of the seconds");
  }
  return results;
}

#undef FOURDOLLAR_TRY

}  // namespace fourdollar::results
