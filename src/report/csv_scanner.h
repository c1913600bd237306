// Splits CSV text (RFC 4180: fields quoted when they hold commas, quotes or line breaks, quotes
// doubled inside) into records without allocating per field: fields are views into the input,
// or into one scratch buffer when a quoted field needs its doubled quotes undone. Lines end in
// LF or CRLF. Built for reading k6 CSV files of gigabytes.
//
// Not thread-safe; the views stay valid until the next call to Next.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace fourdollar::report {

class CsvScanner {
 public:
  static constexpr size_t kMaxFields = 64;  // more is malformed (the record is still skipped)

  enum class Outcome {
    kRecord,     // fields() holds the record that starts on line()
    kMalformed,  // the record starting on line() is broken; error() says why; it was consumed
    kNeedMore,   // the record is not complete in `data` and more may follow: call again with
                 // the unconsumed tail followed by more data
    kEnd,        // nothing left
  };

  // Reads the record at data[*pos...], advancing *pos past it. `final` says that no more
  // data follows `data` (a record may then end without a line break).
  Outcome Next(std::string_view data, size_t* pos, bool final);

  std::span<const std::string_view> fields() const {
    return {fields_.data(), count_ < kMaxFields ? count_ : kMaxFields};
  }
  // The number of fields the record had (may exceed kMaxFields when malformed).
  size_t field_count() const { return count_; }
  size_t line() const { return record_line_; }  // 1-based line on which the record starts
  const char* error() const { return error_; }

 private:
  Outcome Quoted(std::string_view data, size_t* pos, bool final);

  std::array<std::string_view, kMaxFields> fields_{};
  std::array<size_t, kMaxFields> scratch_start_{};  // Quoted: where a field's text begins
  size_t count_ = 0;
  size_t next_line_ = 1;
  size_t record_line_ = 0;
  const char* error_ = "";
  std::string scratch_;
};

}  // namespace fourdollar::report
