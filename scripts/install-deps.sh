#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and benchmarking fourdollar needs;
# with --build-only, just what scripts/build.sh needs (the container image's build stage).
# Idempotent and non-interactive: when everything is already installed it only checks (dpkg -s)
# and returns at once. Runs as root, or through sudo.
set -euo pipefail

build_only=false
case "${1:-}" in
  "") ;;
  --build-only) build_only=true ;;
  *)
    echo "install-deps: unknown argument '$1' (usage: install-deps.sh [--build-only])" >&2
    exit 2
    ;;
esac

packages=(
  cmake ninja-build g++ pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev
  libyaml-cpp-dev libcli11-dev libexpected-dev libkainjow-mustache-dev
  libsqlite3-dev libpq-dev libgtest-dev libre2-dev zlib1g-dev
  libssl-dev libmd4c-dev libmd4c-html0-dev libbrotli-dev liburing-dev libxxhash-dev
)
if ! $build_only; then
  packages+=(
    postgresql nginx-light wrk iproute2
    chromium mawk python3-pandas
    docker-compose podman runc podman-compose debootstrap curl
    golang-github-containernetworking-plugin-dnsname catatonit
    prometheus-node-exporter openssl python3-html5lib
    dpkg-dev file lintian systemd systemd-container strace procps
    clang-14 libclang-rt-14-dev
  )
  # The deployment test renders the kustomize tree with kubectl. A kubectl from elsewhere (the
  # Kubernetes or Google Cloud apt repositories) is newer and owns /usr/bin/kubectl too, so
  # Debian's kubernetes-client only when there is none.
  if ! command -v kubectl >/dev/null; then
    packages+=(kubernetes-client)
  fi
fi

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
