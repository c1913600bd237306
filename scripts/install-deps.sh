#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and benchmarking fourdollar needs.
# Idempotent and non-interactive: when everything is already installed it only checks (dpkg -s)
# and returns at once. Runs as root, or through sudo.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libyaml-cpp-dev libcli11-dev libexpected-dev libkainjow-mustache-dev
  libsqlite3-dev libpq-dev libgtest-dev libre2-dev zlib1g-dev
  postgresql nginx-light wrk
  chromium mawk python3-pandas
  clang-14 libclang-rt-14-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$package")
  fi
done

# npm installs uPlot (embedded into the report) and playwright-core (the browser test). Any
# Node.js with npm will do; Debian's packages only when there is none.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
