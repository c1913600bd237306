#!/usr/bin/env bash
# Benchmark of reading a k6 CSV: `fourdollar report` (whole report: parse, aggregate, knee,
# HTML) against `pandas.read_csv` (parse only) on the same file, one after the other, each
# pinned to one CPU (taskset), the file in the page cache for both. Prints the times and the
# ratio. Not a test: it prints numbers.
#   bash bench/report_csv.sh            # a 1 GB file (1000 MB)
#   MB=200 bash bench/report_csv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
MB=${MB:-1000}
CPU=${CPU:-0}
FOURDOLLAR=${FOURDOLLAR:-$root/build/src/cli/fourdollar}
# Debian's Python, with Debian's python3-pandas (not whatever python3 comes first on PATH).
PYTHON=${PYTHON:-/usr/bin/python3}
die() { echo "bench: $*" >&2; exit 1; }
[[ "$MB" =~ ^[1-9][0-9]*$ ]] || die "MB must be a whole number of megabytes"
for tool in mawk taskset "$PYTHON"; do
  command -v "$tool" >/dev/null || die "$tool is missing (bash scripts/install-deps.sh)"
done
"$PYTHON" -c "import pandas" 2>/dev/null || die "pandas is missing (apt-get install python3-pandas)"
[ -x "$FOURDOLLAR" ] || bash scripts/build.sh >/dev/null

work=$(mktemp -d /tmp/fourdollar-reportbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
csv=$work/k6.csv
echo "generating a ${MB} MB k6 CSV (bench/k6_csv.awk)..."
mawk -v MB="$MB" -f bench/k6_csv.awk >"$csv"
bytes=$(stat -c %s "$csv")
cat "$csv" >/dev/null  # into the page cache, for both readers alike

seconds_of() {  # seconds_of COMMAND...: wall-clock seconds of the command
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  mawk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
calc() { mawk "BEGIN { print $1 }"; }

fourdollar_s=$(seconds_of taskset -c "$CPU" "$FOURDOLLAR" report "$csv" --out "$work/report.html")
pandas_s=$(seconds_of taskset -c "$CPU" "$PYTHON" -c "import pandas, sys; pandas.read_csv(sys.argv[1])" "$csv")
"$FOURDOLLAR" report "$csv" --out "$work/report.html" | head -1
printf 'k6 CSV: %.0f MB (%s bytes)\n' "$(calc "$bytes / 1000000")" "$bytes"
printf 'fourdollar report : %6.2f s  (%4.0f MB/s)\n' "$fourdollar_s" "$(calc "$bytes / 1000000 / $fourdollar_s")"
printf 'pandas.read_csv   : %6.2f s  (%4.0f MB/s)\n' "$pandas_s" "$(calc "$bytes / 1000000 / $pandas_s")"
printf 'ratio: fourdollar report is %.1fx faster than pandas.read_csv\n' "$(calc "$pandas_s / $fourdollar_s")"
