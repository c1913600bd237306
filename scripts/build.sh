#!/usr/bin/env bash
# Configures (Release, Ninja) into build/ and builds everything. Used by test.sh and serve.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build
