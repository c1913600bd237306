// Formatting for the bench's sentences (the headline and "What this means").
#pragma once

#include <cstdio>
#include <string>

namespace fourdollar::bench {

// snprintf into a std::string (up to 511 characters).
template <typename... Args>
std::string Printf(const char* format, Args... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

// 12345 -> 12300, 987.6 -> 988, 0.5 -> 1 (three significant digits, at least 1 when positive).
long long RoundForReading(double value);

// RoundForReading as text: "12300".
inline std::string RateText(double value) { return std::to_string(RoundForReading(value)); }

}  // namespace fourdollar::bench
