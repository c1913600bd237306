#!/usr/bin/env bash
# Installs the dependencies, builds and runs the tests; exits non-zero if any step fails.
#   bash scripts/test.sh              the Release build and every test (ctest) but the package and
#                                     deployment checks, then the loop-heavy end-to-end suites
#                                     again on the io_uring backend
#   bash scripts/test.sh --all        also what CI runs: the whole suite under ASan+UBSan, the
#                                     server and load generator tests under TSan, every fuzzer for
#                                     a bounded time, the Debian package check and the deployment
#                                     check (the image, compose and kube play, with podman)
#   bash scripts/test.sh -R Load      arguments other than --all go to ctest (Release run only)
# The PostgreSQL tests run against a private cluster started here and stopped at the end, also
# when a step fails.
# Every test that skipped (GTEST_SKIP, exit 77) is listed with its reason after its stage; with
# CI=true a skip fails the run, since CI must not pass by leaving a test out. The end prints
# each stage's duration. Every build goes through ccache (CMakeLists.txt), and the package check
# packs the Release build folder rather than building a tree of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
all=false
ctest_args=()
for arg in "$@"; do
  if [ "$arg" = --all ]; then all=true; else ctest_args+=("$arg"); fi
done

# Each stage's duration, printed at the end (also when a stage fails).
started=$SECONDS
stage=
stage_started=$SECONDS
durations=()
end_stage() {
  [ -n "$stage" ] || return 0
  durations+=("$(printf '%-18s %6d s' "$stage" $((SECONDS - stage_started)))")
  stage=
}
step() {
  end_stage
  echo "== test.sh: $* ($((SECONDS - started)) s)"
  stage=$*
  stage_started=$SECONDS
}
pg_dir=
cluster_script=$(pwd)/scripts/postgres-cluster.sh
finish() {
  local status=$?
  end_stage
  echo "== test.sh: $([ "$status" -eq 0 ] && echo passed || echo "FAILED (exit $status)")" \
    "in $((SECONDS - started)) s:"
  printf '  %s\n' "${durations[@]}"
  if [ -n "$pg_dir" ]; then
    bash "$cluster_script" stop "$pg_dir" || true
    rm -rf "$pg_dir"
  fi
  exit "$status"
}
trap finish EXIT
trap "exit 130" INT TERM

# Prints the reason each test in BUILD_DIR's last ctest run skipped for, one "name: reason" line
# per name on stdin: GoogleTest's message after "file:line: Skipped", else the test's last line.
skip_reasons() {
  awk '
    FNR == NR { skipped[$0] = 1; next }
    /^[0-9]+\/[0-9]+ Testing: / { name = substr($0, index($0, ": ") + 2); reason = ""; last = ""
                                    after_skip = 0; next }
    !(name in skipped) { next }
    /^<end of output>$/ { print name ": " (reason != "" ? reason : last); delete skipped[name]
                          name = ""; next }
    after_skip && !/^\[  SKIPPED \]/ { reason = reason (reason != "" ? " " : "") $0; next }
    /: Skipped$/ { after_skip = 1; next }
    { after_skip = 0; if ($0 != "" && !/^(\[|Running main|Note: )/) last = $0 }
    END { for (n in skipped) print n ": (no output)" }
  ' - "$1/Testing/Temporary/LastTest.log"
}

# Runs ctest (the arguments after BUILD_DIR, from the source folder) and lists the tests that
# skipped; under CI=true a skip fails. Exits on a failed test, after the list.
run_ctest() {
  local dir=$1 out status=0
  shift
  out=$(mktemp "${TMPDIR:-/tmp}/fourdollar-ctest-XXXXXX")
  ctest "$@" | tee "$out" || status=$?
  local skipped
  skipped=$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (Skipped)$/\1/p' "$out")
  rm -f "$out"
  if [ -n "$skipped" ]; then
    echo "== test.sh: $(wc -l <<<"$skipped") tests skipped in $dir:"
    skip_reasons "$dir" <<<"$skipped" | sort | sed 's/^/  /'
    if [ "${CI:-}" = true ]; then
      echo "== test.sh: CI=true: a skipped test is a failure" >&2
      status=1
    fi
  fi
  [ "$status" -eq 0 ] || exit "$status"
}

step "dependencies"
bash scripts/install-deps.sh
step "Release build"
bash scripts/build.sh
step "PostgreSQL cluster"
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/fourdollar-pg-XXXXXX")
FOURDOLLAR_TEST_PG_URL=$(bash "$cluster_script" start "$pg_dir")
export FOURDOLLAR_TEST_PG_URL
# The outage tests start and stop clusters of their own with the same script.
FOURDOLLAR_TEST_PG_SCRIPT=$cluster_script
export FOURDOLLAR_TEST_PG_SCRIPT

step "Release tests"
# The package check (label "package") installs a system package and the deployment check (label
# "deploy") builds images and runs containers: only with --all, at the end.
run_ctest build --test-dir build --output-on-failure --timeout 300 -j2 -LE 'package|deploy' \
  "${ctest_args[@]}"
# The end-to-end tests that work the event loop hardest (keep-alive and new connections, TLS,
# slow, malformed and hostile clients, the load generator), again with every server and
# generator they start on io_uring (FOURDOLLAR_IO_BACKEND; ServerUsesTheBackendOfTheTestRun
# checks it reached them). The hostile clients on SQLite only: the store does not change the
# loop's work. Not with a ctest selection of the caller's.
io_uring_suites='^(ServerTest|ReadRoutes|CreatePostTest|EditRoutes|ConnectionTest'
io_uring_suites+='|Transports/SlowClient|HttpCaching|FeedAndStyle|Metrics|BadInput|Forms/Smuggling'
io_uring_suites+='|Table/MalformedRequest|TlsServe|TlsLoad|LoadTest|LoadTimeout|LoadMemory|EditorsScenario)[.]'
io_uring_suites+='|^Stores/HostileTest[.].*/Sqlite'  # and SqliteOverTls
if [ ${#ctest_args[@]} -eq 0 ]; then
  step "Release e2e, io_uring"
  FOURDOLLAR_IO_BACKEND=io_uring run_ctest build --test-dir build --output-on-failure \
    --timeout 300 -j2 -R "$io_uring_suites"
fi
$all || exit 0

# Sanitizers report to stderr and fail the test; no suppressions are used.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
step "ASan+UBSan build"
cmake --preset asan >/dev/null
cmake --build --preset asan
step "ASan+UBSan tests"
# Not the "cpu" label: which side of a bench runs out of CPU first is a Release question; nor
# "memory": resident memory against a limit is one too.
run_ctest build-asan --preset asan --timeout 600 -j2 -LE 'cpu|memory'

# TSan: the tests of what runs several threads at once, labelled "threads" by CMake
# (FOURDOLLAR_THREADED_SUITES in cmake/fourdollar_tests.cmake), in these binaries.
step "TSan build"
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target fourdollar e2e_test http_test store_test load_test
step "TSan tests"
run_ctest build-tsan --preset tsan --timeout 600 -j2 -L threads

step "fuzzers"
# The same inputs on every run: a failure here can be replayed with the seed.
FOURDOLLAR_FUZZ_SEED=1 bash scripts/fuzz.sh 10
step "Debian package"
export FOURDOLLAR_PACKAGE_CHECK=1
run_ctest build --test-dir build --output-on-failure -L package
step "deployment"
export FOURDOLLAR_DEPLOY_CHECK=1
run_ctest build --test-dir build --output-on-failure -L deploy
