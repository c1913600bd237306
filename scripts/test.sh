#!/usr/bin/env bash
# Installs the dependencies, builds (Release) and runs every test; exits with ctest's code.
# The PostgreSQL tests run against a private cluster started here and stopped at the end, also
# when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
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
cd build
set +e
ctest --output-on-failure --timeout 300 "$@"
status=$?
exit $status
