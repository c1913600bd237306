#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (docs/reliability.md, "Fuzzing"). Builds the targets of
# fuzz/ with clang-14 (-DFOURDOLLAR_FUZZ=ON: the fuzzer's coverage, ASan and UBSan) into
# build-fuzz/, runs each for SECONDS on a copy of its seed corpus (the repository is not
# modified) and prints, per target, executions per second, total runs and the corpus it grew.
# Exits non-zero when a target crashes, naming the crashing input; once the bug is fixed, that
# input belongs in fuzz/regressions/TARGET/.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 seconds, every target
#
# Each run draws new random inputs. FOURDOLLAR_FUZZ_SEED=N makes the inputs the same on every
# run (libFuzzer's -seed): scripts/test.sh sets it, so that a result can be reproduced, and a
# longer run with the same seed covers every input a shorter one tried.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
if ! [[ "${FOURDOLLAR_FUZZ_SEED:-1}" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: FOURDOLLAR_FUZZ_SEED must be a positive number, not '$FOURDOLLAR_FUZZ_SEED'" >&2
  exit 2
fi
shift $(($# > 0 ? 1 : 0))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(http_request post_json markdown http_response scenario k6_csv results tls_server)
fi
for target in "${targets[@]}"; do
  if [ ! -f "fuzz/${target}_fuzz.cc" ]; then
    echo "fuzz: no target '$target' (fuzz/${target}_fuzz.cc)" >&2
    exit 2
  fi
done
for tool in clang-14 clang++-14; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz: $tool is missing: run scripts/install-deps.sh (clang-14, libclang-rt-14-dev)" >&2
    exit 1
  fi
done

# The report library embeds uPlot (package-lock.json pins it).
if [ ! -f node_modules/uplot/dist/uPlot.iife.min.js ]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null
fi

# ccache, when installed, comes from CMakeLists.txt as for every other build.
# -O1, line tables only (enough for stack traces) and assertions on: quick to build.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DFOURDOLLAR_FUZZ=ON \
  -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  >/dev/null
# Only the fuzzers and the libraries they link, not the binary or the tests.
ninja -j2 -C build-fuzz "${targets[@]/%/_fuzz}"

work=$(mktemp -d "${TMPDIR:-/tmp}/fourdollar-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$PWD/build-fuzz/artifacts
logs=$PWD/build-fuzz/logs
mkdir -p "$artifacts" "$logs"

failed=()
rows=()
for target in "${targets[@]}"; do
  corpus=$work/$target
  mkdir -p "$corpus"
  cp fuzz/corpus/"$target"/* "$corpus"/
  inputs=("$corpus")
  if [ -d "fuzz/regressions/$target" ]; then
    inputs+=("fuzz/regressions/$target")  # read only: libFuzzer adds to the first folder alone
  fi
  options=(-max_total_time="$seconds" -print_final_stats=1 -timeout=30 -rss_limit_mb=2048
           -artifact_prefix="$artifacts/$target-")
  if [ -n "${FOURDOLLAR_FUZZ_SEED:-}" ]; then
    options+=(-seed="$FOURDOLLAR_FUZZ_SEED")
  fi
  case "$target" in
    http_request | http_response) options+=(-dict=fuzz/http.dict) ;;
  esac
  log=$logs/$target.log
  echo "fuzz: $target for ${seconds}s (log: $log)"
  status=0
  build-fuzz/fuzz/"${target}_fuzz" "${options[@]}" "${inputs[@]}" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  new_units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  seeds=$(find fuzz/corpus/"$target" -maxdepth 1 -type f | wc -l)
  size=$(find "$corpus" -maxdepth 1 -type f | wc -l)
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status); the end of its log:"
    grep -v '^#[0-9]' "$log" | tail -40
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "fuzz: $target crashing input: ${crash:-(none written; see $log)}"
  fi
  rows+=("$(printf '%-14s %8s %11s %9s %9s %13s  %s' "$target" "${per_second:--}" "${runs:--}" \
    "${coverage:--}" "${new_units:--}" "$seeds -> $size" \
    "$([ "$status" -eq 0 ] && echo ok || echo CRASH)")")
done

echo
printf '%-14s %8s %11s %9s %9s %13s  %s\n' target exec/s runs coverage new_units corpus result
for row in "${rows[@]}"; do echo "$row"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in $artifacts)" >&2
  exit 1
fi
