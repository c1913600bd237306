#include "report/k6_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "report/csv_scanner.h"
#include "report/file_chunks.h"
#include "report/timestamp.h"

namespace fourdollar::report {
namespace {

using results::FailureKind;

constexpr size_t kNoColumn = static_cast<size_t>(-1);
// Larger metric values are refused: no duration (ms) or count comes near it, and it keeps the
// conversions to whole microseconds and counts defined.
constexpr double kMaxMetricValue = 1e12;

enum class Metric { kOther, kDuration, kFailed, kIterations, kDropped, kChecks, kVus };

Metric MetricOf(std::string_view name) {
  // Most rows are http_req_*: compare the common prefix once.
  if (name.starts_with("http_req_")) {
    const std::string_view rest = name.substr(9);
    if (rest == "duration") return Metric::kDuration;
    if (rest == "failed") return Metric::kFailed;
    return Metric::kOther;
  }
  if (name == "iterations") return Metric::kIterations;
  if (name == "dropped_iterations") return Metric::kDropped;
  if (name == "checks") return Metric::kChecks;
  if (name == "vus") return Metric::kVus;
  return Metric::kOther;
}

bool ParseDouble(std::string_view text, double* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  // from_chars reads "nan" and "inf" too; no duration is either.
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(*out);
}

// k6 writes an empty status for rows without one, 0 when no response came.
bool ParseStatus(std::string_view text, int* out) {
  if (text.empty()) {
    *out = 0;
    return true;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 0 && *out < 1000;
}

class Aggregator {
 public:
  explicit Aggregator(std::string file) : file_(std::move(file)) {}

  // Feeds text; returns the bytes consumed (see ChunkConsumer).
  size_t Consume(std::string_view text, bool final) {
    size_t pos = 0;
    while (status_) {
      const size_t record_start = pos;
      const CsvScanner::Outcome outcome = scanner_.Next(text, &pos, final);
      if (outcome == CsvScanner::Outcome::kEnd) break;
      if (outcome == CsvScanner::Outcome::kNeedMore) return record_start;
      if (outcome == CsvScanner::Outcome::kMalformed) {
        if (!header_seen_) {
          Fail(std::string("line ") + std::to_string(scanner_.line()) + ": " + scanner_.error());
        } else {
          ++data_lines_;
          Skip(scanner_.line(), scanner_.error());
        }
        continue;
      }
      if (!header_seen_) {
        Header(scanner_.fields(), scanner_.field_count());
      } else {
        Row(scanner_.fields());
      }
    }
    return text.size();
  }

  Result<K6Import> Finish() {
    if (status_ && !header_seen_) Fail("empty file: no k6 CSV header");
    if (!status_) return tl::unexpected(status_.error());
    K6Import out;
    out.data_lines = data_lines_;
    out.skipped_lines = skipped_lines_;
    out.skipped_examples = std::move(examples_);
    results::Results& results = out.results;
    results::RunInfo& run = results.run;
    run.scenario_path = file_;
    run.model = "k6";
    run.names = names_;
    if (!seconds_.empty()) {
      const int64_t first = seconds_.begin()->first;
      const int64_t last = seconds_.rbegin()->first;
      if (last - first >= results::kMaxRunSeconds) {
        return MakeError(ErrorCode::kInvalidArgument,
                         file_ + ": the timestamps span " + std::to_string(last - first + 1) +
                             " seconds, from line " + std::to_string(first_line_) + " to line " +
                             std::to_string(last_line_) +
                             ": more than the week a report covers (is a timestamp wrong?)");
      }
      run.start_unix_ms = first * 1000;
      run.duration_ms = (last - first + 1) * 1000;
      for (int64_t second = first; second <= last; ++second) {
        results::SecondRow row;
        row.second = row.data.second = second - first;
        if (auto it = seconds_.find(second); it != seconds_.end()) {
          Cells& cells = it->second;
          for (auto& [index, figures] : cells.data.names) {
            if (!failed_rows_seen_) {
              figures.failures[static_cast<size_t>(FailureKind::kStatus)] =
                  cells.status_failed[index];
            }
          }
          row.data = std::move(cells.data);
          row.data.second = second - first;
        }
        results.seconds.push_back(std::move(row));
      }
    }
    results::ComputeTotals(results);
    return out;
  }

 private:
  struct Cells {
    results::SecondData data;
    std::map<uint32_t, uint64_t> status_failed;  // by name: statuses 0 and >= 400
  };

  void Fail(const std::string& why) {
    status_ = MakeError(ErrorCode::kInvalidArgument, file_ + " " + why);
  }

  void Skip(size_t line, std::string_view why) {
    ++skipped_lines_;
    if (examples_.size() < kSkippedExamples) {
      examples_.push_back(file_ + " line " + std::to_string(line) + ": " + std::string(why));
    }
  }

  void Header(std::span<const std::string_view> fields, size_t count) {
    columns_ = count;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string_view f = fields[i];
      if (f == "metric_name") metric_ = i;
      if (f == "timestamp") timestamp_ = i;
      if (f == "metric_value") value_ = i;
      if (f == "name") name_ = i;
      if (f == "url") url_ = i;
      if (f == "status") status_column_ = i;
      if (f == "error") error_ = i;
    }
    for (auto [column, label] :
         {std::pair{metric_, "metric_name"}, {timestamp_, "timestamp"}, {value_, "metric_value"}}) {
      if (column == kNoColumn) {
        Fail("line " + std::to_string(scanner_.line()) + ": not a k6 CSV header: no column '" +
             label + "'");
        return;
      }
    }
    header_seen_ = true;
  }

  uint32_t NameIndex(std::string_view name) {
    if (last_name_ < names_.size() && names_[last_name_] == name) return last_name_;
    for (uint32_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return last_name_ = i;
    }
    names_.emplace_back(name);
    return last_name_ = static_cast<uint32_t>(names_.size() - 1);
  }

  Cells& At(int64_t unix_second) {
    if (cached_ != nullptr && cached_second_ == unix_second) return *cached_;
    cached_second_ = unix_second;
    cached_ = &seconds_[unix_second];
    return *cached_;
  }

  void Row(std::span<const std::string_view> fields) {
    const size_t line = scanner_.line();
    ++data_lines_;
    if (fields.size() != columns_) {
      Skip(line, "expected " + std::to_string(columns_) + " fields, found " +
                     std::to_string(scanner_.field_count()));
      return;
    }
    const Metric metric = MetricOf(fields[metric_]);
    if (metric == Metric::kOther) return;
    const std::optional<int64_t> unix_ms = ParseTimestampMs(fields[timestamp_]);
    if (!unix_ms) {
      Skip(line, "timestamp '" + std::string(fields[timestamp_].substr(0, 40)) +
                     "' is not unix time or RFC 3339");
      return;
    }
    double value = 0;
    if (!ParseDouble(fields[value_], &value) || !(value >= 0)) {  // NaN too
      Skip(line,
           "metric_value '" + std::string(fields[value_].substr(0, 40)) + "' is not a number >= 0");
      return;
    }
    if (value > kMaxMetricValue) {
      Skip(line, "metric_value '" + std::string(fields[value_].substr(0, 40)) + "' is over 1e12");
      return;
    }
    int status = 0;
    if (status_column_ != kNoColumn && !ParseStatus(fields[status_column_], &status)) {
      Skip(line, "status '" + std::string(fields[status_column_].substr(0, 40)) +
                     "' is not an HTTP status");
      return;
    }
    const int64_t unix_second = *unix_ms >= 0 ? *unix_ms / 1000 : -((-*unix_ms + 999) / 1000);
    if (seconds_.empty() || unix_second < seconds_.begin()->first) first_line_ = line;
    if (seconds_.empty() || unix_second > seconds_.rbegin()->first) last_line_ = line;
    Cells& cells = At(unix_second);
    switch (metric) {
      case Metric::kDuration: {
        const uint32_t index = NameIndex(RequestName(fields));
        results::NameSecond& figures = cells.data.names[index];
        figures.duration.Record(static_cast<int64_t>(value * 1000.0 + 0.5));
        ++figures.requests;
        if (status != 0) ++figures.by_status[status];  // as the recorder: no response, no status
        if (status == 0 || status >= 400) ++cells.status_failed[index];
        break;
      }
      case Metric::kFailed: {
        failed_rows_seen_ = true;
        if (value < 0.5) break;
        results::NameSecond& figures = cells.data.names[NameIndex(RequestName(fields))];
        ++figures.failures[static_cast<size_t>(FailureKindOf(status, fields))];
        break;
      }
      case Metric::kIterations:
        cells.data.iterations += static_cast<uint64_t>(value + 0.5);
        break;
      case Metric::kDropped:
        cells.data.dropped_iterations += static_cast<uint64_t>(value + 0.5);
        break;
      case Metric::kChecks:
        ++(value >= 0.5 ? cells.data.checks_passed : cells.data.checks_failed);
        break;
      case Metric::kVus:
        cells.data.active_vus = std::max(cells.data.active_vus, value);
        break;
      case Metric::kOther:
        break;
    }
  }

  std::string_view RequestName(std::span<const std::string_view> fields) const {
    if (name_ != kNoColumn && !fields[name_].empty()) return fields[name_];
    if (url_ != kNoColumn && !fields[url_].empty()) return fields[url_];
    return "(no name)";
  }

  FailureKind FailureKindOf(int status, std::span<const std::string_view> fields) const {
    if (status != 0) return FailureKind::kStatus;
    const std::string_view error = error_ != kNoColumn ? fields[error_] : std::string_view();
    if (error.find("timeout") != std::string_view::npos) return FailureKind::kTimeout;
    if (error.find("reset") != std::string_view::npos) return FailureKind::kReset;
    return FailureKind::kConnect;
  }

  std::string file_;
  Status status_;
  CsvScanner scanner_;
  bool header_seen_ = false;
  size_t columns_ = 0;
  size_t metric_ = kNoColumn, timestamp_ = kNoColumn, value_ = kNoColumn, name_ = kNoColumn,
         url_ = kNoColumn, status_column_ = kNoColumn, error_ = kNoColumn;
  std::vector<std::string> names_;
  uint32_t last_name_ = 0;
  std::map<int64_t, Cells> seconds_;
  size_t first_line_ = 0;  // where the earliest and the latest timestamps are
  size_t last_line_ = 0;
  int64_t cached_second_ = 0;
  Cells* cached_ = nullptr;
  bool failed_rows_seen_ = false;
  uint64_t data_lines_ = 0;
  uint64_t skipped_lines_ = 0;
  std::vector<std::string> examples_;
};

}  // namespace

Result<K6Import> ReadK6Csv(const std::string& path) {
  Aggregator aggregator(path);
  Status read = ReadChunks(path, [&aggregator](std::string_view text, bool final) {
    return aggregator.Consume(text, final);
  });
  if (!read) return tl::unexpected(read.error());
  return aggregator.Finish();
}

Result<K6Import> ParseK6Csv(std::string_view text, const std::string& file) {
  Aggregator aggregator(file);
  aggregator.Consume(text, true);
  return aggregator.Finish();
}

bool LooksLikeK6Csv(std::string_view head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    return true;
  }
  const std::string_view first_line = head.substr(0, head.find('\n'));
  return first_line.find("metric_name") != std::string_view::npos;
}

}  // namespace fourdollar::report
