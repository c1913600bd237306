#!/usr/bin/env bash
# Installs the dependencies, builds and runs the tests; exits non-zero if any step fails.
#   bash scripts/test.sh              the Release build and every test (ctest)
#   bash scripts/test.sh --all        also what CI runs: the whole suite under ASan+UBSan, the
#                                     server and load generator tests under TSan, every fuzzer for
#                                     a bounded time, and the Debian package check
#   bash scripts/test.sh -R Load      arguments other than --all go to ctest (Release run only)
# The PostgreSQL tests run against a private cluster started here and stopped at the end, also
# when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
all=false
ctest_args=()
for arg in "$@"; do
  if [ "$arg" = --all ]; then all=true; else ctest_args+=("$arg"); fi
done

started=$SECONDS
step() { echo "== test.sh: $* ($((SECONDS - started)) s)"; }

step "dependencies"
bash scripts/install-deps.sh
step "Release build"
bash scripts/build.sh
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/fourdollar-pg-XXXXXX")
cluster_script=$(pwd)/scripts/postgres-cluster.sh
stop_postgres() {
  bash "$cluster_script" stop "$pg_dir" || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT
trap "exit 130" INT TERM
FOURDOLLAR_TEST_PG_URL=$(bash "$cluster_script" start "$pg_dir")
export FOURDOLLAR_TEST_PG_URL
# The outage tests start and stop clusters of their own with the same script.
FOURDOLLAR_TEST_PG_SCRIPT=$cluster_script
export FOURDOLLAR_TEST_PG_SCRIPT

step "Release tests"
(cd build && ctest --output-on-failure --timeout 300 -j2 "${ctest_args[@]}")
$all || exit 0

# Sanitizers report to stderr and fail the test; no suppressions are used.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
step "ASan+UBSan build"
cmake --preset asan >/dev/null
cmake --build --preset asan
step "ASan+UBSan tests"
ctest --preset asan --timeout 600 -j2

# TSan: the tests of what runs several threads at once, the server (loop threads, the writer,
# the PostgreSQL listener), the stores and the load generator (load threads, the control thread).
tsan_tests='^(ServerFixture|SlowClient|ConnectionTest|CreatePostTest|ReadRoutes|Durability|Metrics|SqliteStore|SqliteWriter|PostgresStoreTest|PostgresInstances|LoadTest|Recorder|HostileTest|Stores/KillNine)'
step "TSan build"
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target fourdollar e2e_test http_test store_test load_test
step "TSan tests"
ctest --preset tsan --timeout 600 -j2 -R "$tsan_tests"

step "fuzzers"
bash scripts/fuzz.sh 10
step "Debian package"
bash scripts/package-check.sh build
step "done"
