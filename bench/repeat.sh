#!/usr/bin/env bash
# Repeatability of `fourdollar bench`: runs it RUNS times in a row (default 3) and prints each
# run's headline capacity (the "holds N requests/s" of its answer) and its spread from the
# median. The target is every run within 10% of the median. Extra arguments go to
# `fourdollar bench` (--quick, --cpus 2...). Not a test: it prints numbers. Run it alone:
#   flock /tmp/fourdollar-bench.lock bash bench/repeat.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
RUNS=${RUNS:-3}
FOURDOLLAR=${FOURDOLLAR:-$root/build/src/cli/fourdollar}
die() { echo "bench: $*" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a whole number"
[ -x "$FOURDOLLAR" ] || bash scripts/build.sh >/dev/null

work=$(mktemp -d /tmp/fourdollar-repeat.XXXXXX)
trap 'rm -rf "$work"' EXIT
capacities=()
for run in $(seq "$RUNS"); do
  "$FOURDOLLAR" bench --out "$work/run-$run" "$@" >"$work/run-$run.txt" 2>/dev/null ||
    die "run $run failed: $(tail -3 "$work/run-$run.txt")"
  answer=$(tail -1 "$work/run-$run.txt")
  echo "run $run: $answer"
  capacity=$(sed -n 's/.*holds \([0-9]*\) requests\/s.*/\1/p' <<<"$answer")
  [ -n "$capacity" ] || die "run $run held no step: $answer"
  capacities+=("$capacity")
done
printf '%s\n' "${capacities[@]}" | sort -n | mawk '
  { v[NR] = $1 }
  END {
    median = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    spread = 0
    for (i = 1; i <= NR; i++) {
      d = (v[i] - median) / median * 100; if (d < 0) d = -d; if (d > spread) spread = d
    }
    printf "capacities (requests/s):"
    for (i = 1; i <= NR; i++) printf " %d", v[i]
    printf "\nmedian %d; largest spread from the median %.1f%% (target: within 10%%)\n", median, spread
  }'
