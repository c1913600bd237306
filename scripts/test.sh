#!/usr/bin/env bash
# Installs the dependencies, builds (Release) and runs every test; exits with ctest's code.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
set +e
ctest --output-on-failure --timeout 300 "$@"
status=$?
exit $status
