#!/usr/bin/env bash
# How late this machine wakes a sleeping thread, and what that does to an open-model run. Not a
# test: it prints numbers.
#   1. On each benchmark CPU, with nothing else running: a thread that sleeps 50 us at a time,
#      for 5 s; its worst oversleep. On a virtual machine whose host is busy, a halted vCPU can
#      be woken milliseconds after its timer was due.
#   2. An open-model GET / against nginx (SERVER_CPU) from `fourdollar load` (LOAD_CPU): the
#      generator's worst request each second, with its `blocked` phase (the arrival started
#      late: the generator was not running when it was due) and its `waiting` phase (the
#      response read late or answered late). Arrivals that pile up during such a stall each
#      take a VU, and a new VU opens a new connection.
#   3. With perf: the longest stretches another task (a kernel thread, a neighbour) held either
#      CPU during that run (`perf sched`).
#   RATE=20000 DURATION=5 flock /tmp/fourdollar-bench.lock bash bench/stalls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-20000}
DURATION=${DURATION:-5}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools cc nginx taskset python3
require_whole RATE
require_whole DURATION
require_fourdollar

start_work stalls
cat >"$work/oversleep.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <time.h>
static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}
int main(void) {
  const int64_t start = now_ns(), pause_ns = 50000;
  int64_t worst = 0;
  long sleeps = 0, over_ms = 0;
  while (now_ns() - start < 5000000000LL) {
    const int64_t before = now_ns();
    struct timespec pause = {0, pause_ns};
    nanosleep(&pause, NULL);
    const int64_t late = now_ns() - before - pause_ns;
    if (late > worst) worst = late;
    if (late > 1000000) ++over_ms;
    ++sleeps;
  }
  printf("%ld sleeps of 50 us: worst oversleep %.3f ms, %ld over 1 ms\n", sleeps, worst / 1e6,
         over_ms);
  return 0;
}
C
cc -O2 -o "$work/oversleep" "$work/oversleep.c"
echo "timer wake-ups, nothing else running:"
for cpu in "$SERVER_CPU" "$LOAD_CPU"; do
  echo "  CPU $cpu: $(taskset -c "$cpu" "$work/oversleep")"
done

head -c 900 /dev/zero | tr '\0' x >"$work/index.html"
start_nginx "$work" "$(free_port)"
get_with "arrival: {rate: $RATE, duration: ${DURATION}s, max_vus: 500}" >"$work/get.yaml"
load=(taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/get.yaml" --target "$nginx_url"
  --out "$work/out")
if command -v perf >/dev/null; then
  perf sched record -C "$SERVER_CPU,$LOAD_CPU" -o "$work/sched.data" -- "${load[@]}" \
    >"$work/load.out" 2>&1 || die "load failed: $(tail -5 "$work/load.out")"
else
  "${load[@]}" >"$work/load.out" 2>&1 || die "load failed: $(tail -5 "$work/load.out")"
fi

echo "open model, $RATE GET/s against nginx on CPU $SERVER_CPU, generator on CPU $LOAD_CPU," \
  "${DURATION} s; the generator's worst request each second (ms):"
python3 - "$work/out/histograms.txt" <<'PY'
import re, sys
# The histograms of a row, in order: duration, then the phases blocked, connecting,
# tls_handshaking, sending, waiting, receiving.
columns = {"duration": 0, "blocked": 1, "waiting": 5}
for line in open(sys.argv[1]):
    fields = line.rstrip("\n").split("\t")
    if line.startswith("#") or fields[0] == "total" or fields[1] != "0":
        continue  # the one step's rows, second by second
    histograms = [f for f in fields if f.startswith("n=")]
    worst = []
    for name, column in columns.items():
        found = re.search(r"max_us=(\d+)", histograms[column])
        worst.append(f"{name} {int(found.group(1)) / 1000:6.2f}" if found else f"{name}      -")
    print(f"  second {fields[0]:>3}:  " + "   ".join(worst))
PY
grep -E 'dropped iterations' "$work/load.out" | sed 's/^ */  /' || true

if [ -f "$work/sched.data" ]; then
  echo "the longest times another task held CPU $SERVER_CPU or $LOAD_CPU (perf sched timehist):"
  perf sched timehist -i "$work/sched.data" 2>/dev/null |
    awk -v me="$(basename "$FOURDOLLAR")" '
      NR > 3 && $2 ~ /^\[/ && $3 !~ /^(<idle>|nginx|perf|taskset)/ && index($3, me) != 1 {
        print $NF, $2, $3 }' | sort -rn | head -5 |
    awk '{ printf "  %7.3f ms  on CPU %d  %s\n", $1, substr($2, 2, length($2) - 2), $3 }'
fi
