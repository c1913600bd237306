#include "load/start_at.h"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "base/clock.h"

namespace fourdollar::load {
namespace {

constexpr std::string_view kExamples = "e.g. 2026-11-26T20:00:00Z or @1795723200";
// Year 10000 and later do not fit RFC 3339's four digits; @ seconds are bounded alike.
constexpr int64_t kMaxUnixSeconds = 253'402'300'800;

tl::unexpected<Error> Bad(std::string_view text, const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "--start-at \"" + std::string(text) + "\": " + why);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at text[*at].
bool Digits(std::string_view text, size_t* at, int count, int64_t* out) {
  if (*at + static_cast<size_t>(count) > text.size()) return false;
  int64_t value = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[*at + static_cast<size_t>(i)];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  *at += static_cast<size_t>(count);
  *out = value;
  return true;
}

// Reads ".ddd" (1 to 9 digits) at text[*at] when present, into microseconds (truncated).
Status Fraction(std::string_view text, size_t* at, int64_t* micros) {
  *micros = 0;
  if (*at >= text.size() || text[*at] != '.') return {};
  ++*at;
  const size_t first = *at;
  int64_t scale = 100'000;
  while (*at < text.size() && IsDigit(text[*at])) {
    *micros += (text[*at] - '0') * scale;
    scale /= 10;
    ++*at;
  }
  if (*at == first) return Bad(text, "expected digits after the decimal point");
  if (*at - first > 9) {
    return Bad(text, "more than 9 digits after the decimal point (nanoseconds at most)");
  }
  return {};
}

Result<int64_t> ParseUnixSeconds(std::string_view text) {
  size_t at = 1;
  int64_t seconds = 0;
  while (at < text.size() && IsDigit(text[at])) {
    if (seconds > kMaxUnixSeconds) break;
    seconds = seconds * 10 + (text[at] - '0');
    ++at;
  }
  if (at == 1) {
    return Bad(text, "expected whole unix seconds after @, e.g. @1795723200 (date +%s)");
  }
  if (seconds >= kMaxUnixSeconds) return Bad(text, "beyond the year 9999");
  int64_t micros = 0;
  if (Status s = Fraction(text, &at, &micros); !s) return tl::unexpected(s.error());
  if (at != text.size()) {
    return Bad(text, "unexpected \"" + std::string(text.substr(at)) +
                         "\" after the unix seconds; write e.g. @1795723200 or @1795723200.5");
  }
  return seconds * 1'000'000 + micros;
}

Result<int64_t> ParseRfc3339(std::string_view text) {
  size_t at = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto expect = [&](char c) { return at < text.size() && text[at++] == c; };
  if (!Digits(text, &at, 4, &year) || !expect('-') || !Digits(text, &at, 2, &month) ||
      !expect('-') || !Digits(text, &at, 2, &day)) {
    return Bad(text, std::string("expected an RFC 3339 time starting with the date YYYY-MM-DD, ") +
                         std::string(kExamples));
  }
  if (at >= text.size() || (text[at] != 'T' && text[at] != 't' && text[at] != ' ')) {
    return Bad(text, "expected T and the time HH:MM:SS after the date, e.g. 2026-11-26T20:00:00Z");
  }
  ++at;
  if (!Digits(text, &at, 2, &hour) || !expect(':') || !Digits(text, &at, 2, &minute) ||
      !expect(':') || !Digits(text, &at, 2, &second)) {
    return Bad(text, "expected the time as HH:MM:SS (seconds included) after the date");
  }
  namespace chrono = std::chrono;
  const chrono::year_month_day date{chrono::year(static_cast<int>(year)),
                                    chrono::month(static_cast<unsigned>(month)),
                                    chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) {
    return Bad(text,
               std::string(text.substr(0, 10)) + " is not a date (month 01-12, day within it)");
  }
  if (second == 60 && hour <= 23 && minute <= 59) {
    return Bad(text, "second 60 (a leap second) cannot be waited for; use :59 or the next minute");
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return Bad(text, std::string(text.substr(11, 8)) + " is not a time of day (00:00:00-23:59:59)");
  }
  int64_t micros = 0;
  if (Status s = Fraction(text, &at, &micros); !s) return tl::unexpected(s.error());
  int64_t offset_minutes = 0;
  if (at >= text.size()) {
    return Bad(text,
               "no time zone: end with Z for UTC or an offset such as +01:00 (a local time would "
               "mean something else on each machine)");
  }
  if (text[at] == 'Z' || text[at] == 'z') {
    ++at;
  } else if (text[at] == '+' || text[at] == '-') {
    const int64_t sign = text[at++] == '-' ? -1 : 1;
    int64_t offset_hours = 0, offset_mins = 0;
    if (!Digits(text, &at, 2, &offset_hours) || !expect(':') ||
        !Digits(text, &at, 2, &offset_mins) || offset_hours > 23 || offset_mins > 59) {
      return Bad(text, "the offset must be +HH:MM or -HH:MM (at most 23:59), or Z for UTC");
    }
    offset_minutes = sign * (offset_hours * 60 + offset_mins);
  } else {
    return Bad(text, "expected Z or an offset such as +01:00 after the time, found \"" +
                         std::string(text.substr(at)) + "\"");
  }
  if (at != text.size()) {
    return Bad(text, "unexpected \"" + std::string(text.substr(at)) + "\" after the time zone");
  }
  const int64_t days = chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1'000'000 + micros;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Prints the waiting line; on a terminal it replaces the previous one.
void PrintWaiting(std::FILE* out, bool terminal, int64_t start_unix_us, int64_t remaining_us) {
  const std::string line = "fourdollar load: starting at " + FormatUtc(start_unix_us) + " (in " +
                           FormatDelay(std::max<int64_t>(0, remaining_us)) + ")";
  if (terminal) {
    std::fprintf(out, "\r\033[K%s", line.c_str());
  } else {
    std::fprintf(out, "%s\n", line.c_str());
  }
  std::fflush(out);
}

}  // namespace

Result<int64_t> ParseStartAt(std::string_view text) {
  if (text.empty()) {
    return Bad(text, "empty; give a time with its zone, " + std::string(kExamples));
  }
  if (text.front() == '@') return ParseUnixSeconds(text);
  const bool number =
      std::all_of(text.begin(), text.end(), [](char c) { return IsDigit(c) || c == '.'; });
  if (number) {
    return Bad(text,
               "a plain number could be seconds, milliseconds or a delay; write unix seconds as "
               "@" +
                   std::string(text) + " or a time such as 2026-11-26T20:00:00Z");
  }
  return ParseRfc3339(text);
}

Status CheckStartAt(std::string_view text, int64_t start_unix_us, int64_t now_unix_us) {
  const int64_t ahead_us = start_unix_us - now_unix_us;
  if (-ahead_us > kStartAtLateToleranceUs) {
    return Bad(text, FormatUtc(start_unix_us) + " is " + FormatDelay(-ahead_us) +
                         " in the past (this machine's clock reads " +
                         FormatUtc(now_unix_us / 1000 * 1000) +
                         "); give a time ahead, the same on every machine");
  }
  if (ahead_us > kStartAtMaxAheadUs) {
    return Bad(text, FormatUtc(start_unix_us) + " is " + FormatDelay(ahead_us) +
                         " ahead, more than 24 h: check the date and the zone; to start that "
                         "late, schedule the command itself (at, systemd-run --on-calendar)");
  }
  return {};
}

std::string FormatUtc(int64_t unix_us) {
  const int64_t seconds = FloorDiv(unix_us, 1'000'000);
  const int64_t micros = unix_us - seconds * 1'000'000;
  const time_t whole = static_cast<time_t>(seconds);
  tm parts{};
  gmtime_r(&whole, &parts);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &parts);
  std::string text = buf;
  if (micros != 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lld", static_cast<long long>(micros));
    std::string digits = fraction;
    while (digits.back() == '0') digits.pop_back();
    text += digits;
  }
  return text + "Z";
}

std::string FormatDelay(int64_t us) {
  char buf[64];
  if (us < 1'000'000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(us / 1000));
  } else if (us < 60'000'000) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(us) / 1e6);
  } else if (us < int64_t{3600} * 1'000'000) {
    const int64_t s = us / 1'000'000;
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (us < int64_t{48} * 3600 * 1'000'000) {
    const int64_t m = us / 60'000'000;
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", static_cast<long long>(m / 60),
                  static_cast<long long>(m % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f days", static_cast<double>(us) / 86400e6);
  }
  return buf;
}

int64_t WallNowUs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

RunStart StartSoon(int64_t lead_ns) {
  const int64_t now_us = WallNowUs();
  const int64_t now_mono_ns = MonotonicNowNs();
  const int64_t unix_us = (now_us + lead_ns / 1000 + 999) / 1000 * 1000;
  return RunStart{now_mono_ns + (unix_us - now_us) * 1000, unix_us};
}

StartWait WaitForStart(int64_t start_unix_us, int64_t lead_ns, const sigset_t& signals,
                       bool terminal, std::FILE* out) {
  StartWait result;
  const int64_t first_remaining_us = start_unix_us - WallNowUs();
  if (first_remaining_us < 0) {
    const int64_t now_us = WallNowUs();
    result.started = true;
    result.late_us = now_us - start_unix_us;
    result.start = StartSoon(lead_ns);
    std::fprintf(out, "fourdollar load: warning: starting %s after --start-at %s\n",
                 FormatDelay(result.late_us).c_str(), FormatUtc(start_unix_us).c_str());
    return result;
  }
  PrintWaiting(out, terminal, start_unix_us, first_remaining_us);
  while (true) {
    // The wall clock is read again after every wake, so a clock stepped during the wait is
    // followed; the run itself is then timed on the monotonic clock.
    const int64_t now_us = WallNowUs();
    const int64_t now_mono_ns = MonotonicNowNs();
    const int64_t remaining_ns = (start_unix_us - now_us) * 1000;
    if (remaining_ns <= lead_ns) {
      result.started = true;
      result.start = RunStart{now_mono_ns + std::max<int64_t>(0, remaining_ns), start_unix_us};
      break;
    }
    // Wake at the lead point, at the next whole second of the countdown, or within a second.
    int64_t wait_ns = std::min<int64_t>(remaining_ns - lead_ns, 1'000'000'000);
    if (terminal) {
      const int64_t to_tick_ns = remaining_ns % 1'000'000'000;
      if (to_tick_ns > 0) wait_ns = std::min(wait_ns, to_tick_ns);
    }
    const timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000),
                           static_cast<long>(wait_ns % 1'000'000'000)};
    const int signo = sigtimedwait(&signals, nullptr, &timeout);
    if (signo > 0) {
      result.signal = signo;
      break;
    }
    if (terminal) PrintWaiting(out, terminal, start_unix_us, start_unix_us - WallNowUs());
  }
  if (terminal) {
    // The countdown gives way to a plain line that the live line can follow.
    std::fprintf(out, "\r\033[K");
    if (result.started) {
      std::fprintf(out, "fourdollar load: starting at %s\n", FormatUtc(start_unix_us).c_str());
    }
    std::fflush(out);
  }
  return result;
}

}  // namespace fourdollar::load
