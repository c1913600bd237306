#include "report/timestamp.h"

#include <limits>

namespace fourdollar::report {
namespace {

// Reads exactly `digits` decimal digits at text[*at].
bool Digits(std::string_view text, size_t* at, int digits, int64_t* out) {
  if (*at + static_cast<size_t>(digits) > text.size()) return false;
  int64_t value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[*at + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *at += static_cast<size_t>(digits);
  *out = value;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// The digits of a fraction of a second from `*at` on, as milliseconds (digits past the third
// are read and dropped); false when there is no digit.
bool ParseFractionMs(std::string_view text, size_t* at, int64_t* millis) {
  int64_t scale = 100;
  const size_t first = *at;
  while (*at < text.size() && text[*at] >= '0' && text[*at] <= '9') {
    *millis += (text[*at] - '0') * scale;
    scale /= 10;
    ++*at;
  }
  return *at != first;
}

bool LeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  size_t at = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto expect = [&](char c) { return at < text.size() && text[at++] == c; };
  if (!Digits(text, &at, 4, &year) || !expect('-') || !Digits(text, &at, 2, &month) ||
      !expect('-') || !Digits(text, &at, 2, &day)) {
    return std::nullopt;
  }
  if (at >= text.size() || (text[at] != 'T' && text[at] != 't' && text[at] != ' ')) {
    return std::nullopt;
  }
  ++at;
  if (!Digits(text, &at, 2, &hour) || !expect(':') || !Digits(text, &at, 2, &minute) ||
      !expect(':') || !Digits(text, &at, 2, &second)) {
    return std::nullopt;
  }
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  if (day > kMonthDays[month - 1] + (month == 2 && LeapYear(year) ? 1 : 0)) return std::nullopt;
  int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    if (!ParseFractionMs(text, &at, &millis)) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int64_t sign = text[at++] == '-' ? -1 : 1;
    int64_t offset_hours = 0, offset_mins = 0;
    if (!Digits(text, &at, 2, &offset_hours) || !expect(':') ||
        !Digits(text, &at, 2, &offset_mins) || offset_hours > 23 || offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (offset_hours * 60 + offset_mins);
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                          second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace

std::optional<int64_t> ParseTimestampMs(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t at = 0;
  int64_t whole = 0;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
    const int digit = text[at] - '0';
    if (whole > (std::numeric_limits<int64_t>::max() - digit) / 10)
      return std::nullopt;  // beyond int64
    whole = whole * 10 + digit;
    ++at;
  }
  if (at == 0) return std::nullopt;
  if (at < text.size() && text[at] == '-') return ParseRfc3339(text);
  if (at == text.size()) {
    if (whole < 100'000'000'000) return whole * 1000;
    if (whole < 100'000'000'000'000) return whole;
    if (whole < 100'000'000'000'000'000) return whole / 1000;
    return whole / 1'000'000;
  }
  if (text[at] != '.' || whole >= 100'000'000'000) return std::nullopt;
  ++at;
  int64_t millis = 0;
  if (!ParseFractionMs(text, &at, &millis) || at != text.size()) return std::nullopt;
  return whole * 1000 + millis;
}

}  // namespace fourdollar::report
