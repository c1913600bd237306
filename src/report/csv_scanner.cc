#include "report/csv_scanner.h"

#include <cstring>

namespace fourdollar::report {

CsvScanner::Outcome CsvScanner::Next(std::string_view data, size_t* pos, bool final) {
  const char* const begin = data.data() + *pos;
  const char* const end = data.data() + data.size();
  if (begin >= end) return Outcome::kEnd;
  const char* newline = static_cast<const char*>(std::memchr(begin, '\n', end - begin));
  if (newline == nullptr && !final) return Outcome::kNeedMore;
  const char* line_end = newline ? newline : end;
  const char* after = newline ? newline + 1 : end;
  record_line_ = next_line_;
  if (line_end > begin && line_end[-1] == '\r') --line_end;

  // Fast path: split on commas; a field opening with a quote sends the record to Quoted.
  count_ = 0;
  const char* field = begin;
  while (true) {
    if (field < line_end && *field == '"') return Quoted(data, pos, final);
    const char* comma =
        static_cast<const char*>(std::memchr(field, ',', static_cast<size_t>(line_end - field)));
    const char* field_end = comma ? comma : line_end;
    if (count_ < kMaxFields) fields_[count_] = std::string_view(field, field_end - field);
    ++count_;
    if (comma == nullptr) break;
    field = comma + 1;
  }
  *pos = static_cast<size_t>(after - data.data());
  ++next_line_;
  if (line_end == begin) {
    error_ = "empty line";
    return Outcome::kMalformed;
  }
  if (count_ > kMaxFields) {
    error_ = "too many fields";
    return Outcome::kMalformed;
  }
  return Outcome::kRecord;
}

// The slow path, byte by byte: quoted fields may hold commas, doubled quotes and line breaks.
CsvScanner::Outcome CsvScanner::Quoted(std::string_view data, size_t* pos, bool final) {
  const char* p = data.data() + *pos;
  const char* const end = data.data() + data.size();
  scratch_.clear();
  count_ = 0;
  size_t lines = 0;
  const char* malformed = nullptr;
  auto push = [this](std::string_view field) {
    if (count_ < kMaxFields) fields_[count_] = field;
    ++count_;
  };
  while (true) {
    if (p < end && *p == '"') {
      const size_t start = scratch_.size();
      ++p;
      while (true) {
        if (p >= end) {
          if (!final) return Outcome::kNeedMore;
          error_ = "unterminated quoted field";
          *pos = data.size();
          next_line_ += lines + 1;
          return Outcome::kMalformed;
        }
        if (*p == '"') {
          if (p + 1 < end && p[1] == '"') {
            scratch_.push_back('"');
            p += 2;
            continue;
          }
          if (p + 1 >= end && !final) return Outcome::kNeedMore;
          ++p;
          break;
        }
        if (*p == '\n') ++lines;
        scratch_.push_back(*p++);
      }
      // scratch_ may still grow: remember the offset, make the view at the end.
      if (count_ < kMaxFields) scratch_start_[count_] = start;
      push(std::string_view(nullptr, scratch_.size() - start));
      if (p < end && *p != ',' && *p != '\n' && *p != '\r' && malformed == nullptr) {
        malformed = "text after a closing quote";
      }
    } else {
      const char* field = p;
      while (p < end && *p != ',' && *p != '\n') ++p;
      if (p >= end && !final) return Outcome::kNeedMore;
      const char* field_end = p;
      if (field_end > field && field_end[-1] == '\r' && (p >= end || *p == '\n')) --field_end;
      push(std::string_view(field, field_end - field));
    }
    // Skip to the separator (anything after a closing quote was flagged above).
    while (p < end && *p != ',' && *p != '\n') ++p;
    if (p >= end) {
      if (!final) return Outcome::kNeedMore;
      break;
    }
    if (*p == '\n') {
      ++p;
      break;
    }
    ++p;  // a comma: another field follows
  }
  *pos = static_cast<size_t>(p - data.data());
  next_line_ += lines + 1;
  for (size_t i = 0; i < count_ && i < kMaxFields; ++i) {
    if (fields_[i].data() == nullptr) {
      fields_[i] = std::string_view(scratch_.data() + scratch_start_[i], fields_[i].size());
    }
  }
  if (malformed != nullptr) {
    error_ = malformed;
    return Outcome::kMalformed;
  }
  if (count_ > kMaxFields) {
    error_ = "too many fields";
    return Outcome::kMalformed;
  }
  return Outcome::kRecord;
}

}  // namespace fourdollar::report
