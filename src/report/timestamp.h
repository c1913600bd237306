// Timestamps as k6 writes them in its CSV output, to unix milliseconds. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fourdollar::report {

// Accepts:
//   unix time as a whole number, its unit told by its size (k6's timeFormat unix,
//   unix_milli, unix_micro, unix_nano): below 1e11 seconds, below 1e14 milliseconds,
//   below 1e17 microseconds, else nanoseconds; seconds may carry a fraction ("1700000000.25");
//   RFC 3339: "2023-11-14T22:13:20Z", with an optional fraction and a "Z" or +hh:mm / -hh:mm
//   offset ("2023-11-14T23:13:20.123456+01:00"); a space is accepted in place of the T.
// Anything else (empty, signs, trailing text, impossible dates) gives nullopt.
std::optional<int64_t> ParseTimestampMs(std::string_view text);

}  // namespace fourdollar::report
