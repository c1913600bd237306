#include "results/results_csv.h"

#include <charconv>

namespace fourdollar::results {

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string FormatDouble(double value) {
  char buffer[32];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, std::string_view file) {
  std::vector<CsvRecord> records;
  size_t line = 1;
  size_t i = 0;
  auto error = [&](size_t at_line, const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(file) + " line " + std::to_string(at_line) + ": " + what);
  };
  while (i < text.size()) {
    CsvRecord record{.line = line};
    std::string field;
    bool record_done = false;
    while (!record_done) {
      if (i < text.size() && text[i] == '"') {
        ++i;
        while (true) {
          if (i >= text.size()) return error(record.line, "unterminated quoted field");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field.push_back(text[i++]);
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return error(line, "text after a closing quote");
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') return error(line, "a quote inside an unquoted field");
          field.push_back(text[i++]);
        }
      }
      record.fields.push_back(std::move(field));
      field.clear();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size()) {
        if (text[i] != '\n') return error(line, "a carriage return without a line feed");
        ++i;
      }
      ++line;
      record_done = true;
    }
    if (record.fields.size() == 1 && record.fields[0].empty()) {
      return error(record.line, "empty line");
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace fourdollar::results
