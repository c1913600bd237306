// `--start-at TIME`: the wall-clock instant at which a load test starts, so that generators on
// several machines start together and their per-second rows line up when merged.
//
// The wait is measured on the wall clock (CLOCK_REALTIME, which NTP keeps in step across
// machines); once the instant is reached the run is timed on the monotonic clock, so a clock
// step during the run moves nothing. Parsing and checking are pure and thread-safe.
#pragma once

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::load {

// A start-at this far in the past (the command started a moment too late) starts at once with
// a warning; further in the past is an error.
inline constexpr int64_t kStartAtLateToleranceUs = 1'000'000;
// A start-at further ahead than this is an error: most likely a wrong date or time zone.
inline constexpr int64_t kStartAtMaxAheadUs = int64_t{24} * 3600 * 1'000'000;

// Parses a start time into unix microseconds. Accepted:
//   RFC 3339 with a time zone: "2026-11-26T20:00:00Z", "2026-11-26T21:00:00.250+01:00",
//   "2026-11-26 20:00:00+00:00" (date --rfc-3339); a fraction of 1 to 9 digits (kept to the
//   microsecond); "t" and "z" in either case;
//   unix seconds after "@": "@1795723200", "@1795723200.5" (as GNU date -d takes them).
// Refused, each with a message saying what is wrong and what to write: empty text, a plain
// number (seconds? milliseconds? a delay?), a time without a zone (whose local time?), an
// impossible date or time, a leap second, a fraction of more than 9 digits, trailing text.
Result<int64_t> ParseStartAt(std::string_view text);

// Whether `start_unix_us` may be waited for at `now_unix_us`: an error naming the time and how
// late it is (more than kStartAtLateToleranceUs in the past) or how far ahead (more than
// kStartAtMaxAheadUs). `text` is the flag as given, quoted in the message.
Status CheckStartAt(std::string_view text, int64_t start_unix_us, int64_t now_unix_us);

// "2026-11-26T20:00:00Z", or "2026-11-26T20:00:00.250Z" when there is a fraction (to the
// microsecond, trailing zeros dropped).
std::string FormatUtc(int64_t unix_us);

// A duration for people: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string FormatDelay(int64_t us);

// The instant second 0 of the run starts, on both clocks.
struct RunStart {
  int64_t mono_ns = 0;
  int64_t unix_us = 0;
};

// A start about `lead_ns` from now, on a whole millisecond of the wall clock, so that the
// results' start_unix_ms is exact.
RunStart StartSoon(int64_t lead_ns);

struct StartWait {
  bool started = false;  // false: a signal came first
  int signal = 0;        // the signal that ended the wait when !started
  RunStart start;        // when started
  int64_t late_us = 0;   // how far past start_unix_us the wait began (0 when on time)
};

// Waits until `lead_ns` before `start_unix_us` on the wall clock, or until one of `signals`
// (which the caller keeps blocked in every thread) arrives; returns the start on both clocks,
// with the monotonic start `lead_ns` or less ahead, for the caller to set up in the meantime.
// A start already past (within the tolerance the caller checked) starts `lead_ns` from now.
// Prints "starting at TIME (in DELAY)" to `out`, and on a terminal redraws the countdown every
// second; the line is cleared when the wait ends.
StartWait WaitForStart(int64_t start_unix_us, int64_t lead_ns, const sigset_t& signals,
                       bool terminal, std::FILE* out);

// CLOCK_REALTIME in microseconds.
int64_t WallNowUs();

}  // namespace fourdollar::load
