#!/usr/bin/env bash
# Runs the deployment for real with podman (runc, cgroupfs; settings in
# tests/deploy/containers/containers.conf, given through CONTAINERS_CONF):
#  1. the image built from the Dockerfile (the build stage reuses the machine's ccache), run with
#     its port on 127.0.0.1: a post with the write token is read back, the container is stopped
#     and started and the post is still there on its volume; it runs as uid 10001 and
#     `podman healthcheck run` passes;
#  2. compose.yaml with podman-compose: the blog on SQLite, then the two instances on
#     PostgreSQL behind nginx (PostgreSQL and nginx images made from Debian's packages): a post
#     made through one instance is read through the other and through nginx;
#  3. `podman kube play` of the rendered sqlite overlay on a network made here: the pod serves a
#     post. (The load overlay's Job: docs/deploy.md says why podman does not run it.)
# The base image is made once per machine (scripts/container-base.sh). Every container, pod,
# volume and network is named fourdollar-check* and removed at the start (leftovers of a killed
# run) and at the end, also on failure. Nothing is pulled from a registry.
#
# Usage: tests/deploy/container_check.sh [BUILD_DIR]
# ctest runs it as the test deploy_check (label "deploy", alone). It needs root, podman, runc,
# podman-compose, debootstrap, kubectl and FOURDOLLAR_DEPLOY_CHECK=1 (scripts/test.sh --all sets
# it): without them it says why and exits 77 (ctest: skipped), or 1 when CI=true.
set -euo pipefail
cd "$(dirname "$0")/../.."
source=$(pwd)

check_name=deploy-check
check_timed=1
# shellcheck source=tests/support/machine_check.sh
source tests/support/machine_check.sh
require_opt_in FOURDOLLAR_DEPLOY_CHECK "it builds images and runs containers on this machine"
[ "$(id -u)" -eq 0 ] || cannot_run "needs root (podman with runc and cgroupfs)"
for tool in podman runc podman-compose debootstrap kubectl curl; do
  command -v "$tool" >/dev/null || cannot_run "$tool is not installed (scripts/install-deps.sh)"
done

export CONTAINERS_CONF=$source/tests/deploy/containers/containers.conf
prefix=fourdollar-check
image=localhost/$prefix:latest
work=$(mktemp -d "${TMPDIR:-/tmp}/$prefix-XXXXXX")

# Removes everything named $prefix*: containers, pods, volumes, networks. Also run first, for
# what a killed run left behind.
clean() {
  local ids
  ids=$(podman pod ps -q --filter "name=^$prefix") || true
  [ -z "$ids" ] || podman pod rm -f -t 0 $ids >/dev/null || true
  ids=$(podman ps -aq --filter "name=^$prefix") || true
  [ -z "$ids" ] || podman rm -f -v -t 0 $ids >/dev/null || true
  ids=$(podman volume ls -q --filter "name=^$prefix") || true
  [ -z "$ids" ] || podman volume rm -f $ids >/dev/null || true
  ids=$(podman network ls -q --filter "name=^$prefix") || true
  [ -z "$ids" ] || podman network rm -f $ids >/dev/null || true
}
finish() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    for c in $(podman ps -aq --filter "name=^$prefix" 2>/dev/null); do
      echo "--- logs of $(podman inspect -f '{{.Name}}' "$c" 2>/dev/null):" >&2
      podman logs --tail 20 "$c" >&2 2>&1 || true
    done
  fi
  clean
  rm -rf "$work"
  say "$([ "$status" -eq 0 ] && echo passed || echo "failed (exit $status)")"
  exit "$status"
}
trap finish EXIT
trap "exit 130" INT TERM
clean

# A free TCP port on loopback, from the kernel (bind to port 0).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Waits until GET URL/healthz answers 200, at most 60 s (curl tries again each second while
# the port is closed or the answer is not 200); fails naming WHAT otherwise.
wait_healthy() {
  curl -fsS -o /dev/null --max-time 2 --retry 60 --retry-all-errors --retry-delay 1 \
    --retry-max-time 60 "$1/healthz" 2>/dev/null || fail "$2: GET $1/healthz gave no 200 in 60 s"
}
# Posts TITLE through URL with TOKEN; prints the post's path (/ID).
post() {
  local url=$1 token=$2 title=$3 answer
  answer=$(curl -sS --max-time 10 -o - -w '\n%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" --data "{\"title\": \"$title\", \"body\": \"check\"}" "$url/") ||
    fail "POST $url/ failed"
  [ "$(tail -n1 <<<"$answer")" = 303 ] || fail "POST $url/ answered: $answer"
  grep -o '/[0-9]*$' <<<"$(head -n1 <<<"$answer")" || fail "POST $url/ named no post: $answer"
}
# Fails unless GET URL answers 200 with TITLE in the page.
has_post() {
  local url=$1 title=$2 page
  page=$(curl -fsS --max-time 10 "$url") || fail "GET $url failed"
  grep -qF "$title" <<<"$page" || fail "GET $url does not show '$title'"
}

say "base image"
bash scripts/container-base.sh
say "image build"
# The build stage compiles with the machine's compiler cache (same compiler, paths hashed
# relative to the source folder, the machine's size limit so that it evicts nothing more) and
# installs npm's packages from the machine's npm cache, offline.
ccache_dir=$(ccache -k cache_dir 2>/dev/null || echo "$HOME/.cache/ccache")
mkdir -p "$ccache_dir"
# ccache hashes these when they are set: the build stage gets the same.
locale=()
for name in LANG LC_ALL LC_CTYPE LC_MESSAGES; do
  [ -z "${!name+set}" ] || locale+=(--build-arg "$name=${!name}")
done
old_image=$(podman image inspect -f '{{.Id}}' "$image" 2>/dev/null) || true
podman build -q --format docker -t "$image" -v "$ccache_dir:/ccache" --build-arg CCACHE_DIR=/ccache \
  -v "$(npm config get cache 2>/dev/null || echo "$HOME/.npm"):/root/.npm" \
  --build-arg "CCACHE_MAXSIZE=$(ccache -k max_size 2>/dev/null || echo 5G)" "${locale[@]}" . \
  >/dev/null ||
  fail "podman build of the Dockerfile"
# The image this one replaces (the stage images stay: they are the build's layer cache).
new_image=$(podman image inspect -f '{{.Id}}' "$image")
[ -z "$old_image" ] || [ "$old_image" = "$new_image" ] || podman rmi "$old_image" >/dev/null 2>&1 || true
# The build stage's layers of these sources (the Dockerfile labels them): each run would add
# some; the layers with the installed packages stay, for the next build.
podman image prune -f --filter label=org.fourdollar.layer=sources >/dev/null ||
  fail "podman image prune of the build stage's source layers"

say "image run"
port=$(free_port)
run_container() {
  podman run -d --name "$prefix-blog" -p "127.0.0.1:$port:8080" -v "$prefix-data:/var/lib/fourdollar" \
    "$image" >/dev/null
}
run_container
wait_healthy "http://127.0.0.1:$port" "the image"
[ "$(podman exec "$prefix-blog" id -u)" = 10001 ] || fail "the container does not run as uid 10001"
[ "$(podman top "$prefix-blog" huser | tail -n +2 | sort -u)" = 10001 ] ||
  fail "the server's process is not uid 10001 on the host: $(podman top "$prefix-blog" huser)"
podman healthcheck run "$prefix-blog" || fail "the image's HEALTHCHECK failed"
# The generated write token is in the data volume, beside the SQLite file.
token=$(podman exec "$prefix-blog" cat /var/lib/fourdollar/write-token)
path=$(post "http://127.0.0.1:$port" "$token" "Kept on the volume")
has_post "http://127.0.0.1:$port$path" "Kept on the volume"
say "container stopped and started"
podman stop -t 10 "$prefix-blog" >/dev/null
podman start "$prefix-blog" >/dev/null
wait_healthy "http://127.0.0.1:$port" "the restarted container"
has_post "http://127.0.0.1:$port$path" "Kept on the volume"
has_post "http://127.0.0.1:$port/" "Kept on the volume"
say "container removed, a new one on the same volume"
podman rm -f -t 10 "$prefix-blog" >/dev/null
run_container
wait_healthy "http://127.0.0.1:$port" "the new container"
has_post "http://127.0.0.1:$port$path" "Kept on the volume"
podman rm -f -t 10 "$prefix-blog" >/dev/null

# The address of container NAME on its (first) network: a namespace this check made.
address_of() {
  podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" | cut -d' ' -f1
}
# podman-compose on compose.yaml as project fourdollar-check-NAME (its containers, volumes and
# network are named after it), with this check's images.
compose() {
  local project=$1
  shift
  FOURDOLLAR_IMAGE=$image \
    FOURDOLLAR_POSTGRES_IMAGE=localhost/$prefix-postgres:15 \
    FOURDOLLAR_NGINX_IMAGE=localhost/$prefix-nginx:latest \
    podman-compose -p "$prefix-$project" -f compose.yaml "$@" >>"$work/compose.log" 2>&1 ||
    { tail -30 "$work/compose.log" >&2; fail "podman-compose $*"; }
}

say "compose: the blog on SQLite"
# The published ports on loopback only: compose.yaml's port variables may carry an address.
port=$(free_port)
export FOURDOLLAR_PORT=127.0.0.1:$port
compose sqlite up -d blog
blog="$prefix-sqlite_blog_1"
wait_healthy "http://127.0.0.1:$port" "compose's blog"
token=$(podman exec "$blog" cat /var/lib/fourdollar/write-token)
path=$(post "http://127.0.0.1:$port" "$token" "Posted through compose")
has_post "http://127.0.0.1:$port$path" "Posted through compose"
podman healthcheck run "$blog" || fail "compose's blog: health check failed"
compose sqlite down -v

say "compose: two instances on PostgreSQL behind nginx"
podman build -q -t "localhost/$prefix-postgres:15" -f tests/deploy/containers/postgres.Containerfile \
  tests/deploy/containers >/dev/null || fail "podman build of the PostgreSQL image"
podman build -q -t "localhost/$prefix-nginx:latest" -f tests/deploy/containers/nginx.Containerfile \
  tests/deploy/containers >/dev/null || fail "podman build of the nginx image"
port=$(free_port)
export FOURDOLLAR_NGINX_PORT=127.0.0.1:$port
# podman-compose 1.0 knows no profiles: nginx and what it depends on (compose.yaml's header).
compose pg up -d nginx
nginx="http://127.0.0.1:$port"
one="http://$(address_of "$prefix-pg_blog-1_1"):8080"
two="http://$(address_of "$prefix-pg_blog-2_1"):8080"
wait_healthy "$one" "compose's blog-1"
wait_healthy "$two" "compose's blog-2"
wait_healthy "$nginx" "compose's nginx"
token=$(podman exec "$prefix-pg_blog-1_1" cat /run/fourdollar/write-token)
path=$(post "$one" "$token" "Posted through blog-1")
has_post "$two$path" "Posted through blog-1"
has_post "$nginx$path" "Posted through blog-1"
path=$(post "$nginx" "$token" "Posted through nginx")
has_post "$one$path" "Posted through nginx"
has_post "$two$path" "Posted through nginx"
for service in blog-1 blog-2 nginx postgres; do
  podman healthcheck run "$prefix-pg_${service}_1" || fail "compose's $service: health check failed"
done
compose pg down -v

say "kube play: the sqlite overlay"
# The overlay under this check's names (namePrefix) and image; kustomize wants the path to the
# overlay relative.
mkdir -p "$work/kube"
cat >"$work/kube/kustomization.yaml" <<KUSTOMIZATION
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: $prefix-
resources:
  - $(realpath --relative-to="$work/kube" "$source/deploy/kubernetes/overlays/sqlite")
images:
  - name: fourdollar
    newName: localhost/$prefix
    newTag: latest
KUSTOMIZATION
kubectl kustomize "$work/kube" >"$work/sqlite.yaml" || fail "kubectl kustomize of the sqlite overlay"
podman network create "$prefix-kube" >/dev/null
podman kube play --network "$prefix-kube" "$work/sqlite.yaml" >"$work/kube.log" 2>&1 ||
  { cat "$work/kube.log" >&2; fail "podman kube play of the sqlite overlay"; }
pod=$(podman pod ps --filter "name=^$prefix" --format '{{.Name}}' | head -n1)
[ -n "$pod" ] || fail "kube play made no pod: $(cat "$work/kube.log")"
container=$(podman ps --filter "pod=$pod" --filter "name=blog" --format '{{.Names}}' | head -n1)
[ -n "$container" ] || fail "pod $pod has no blog container"
kube="http://$(address_of "$container"):8080"
wait_healthy "$kube" "the kube pod"
[ "$(podman exec "$container" id -u)" = 10001 ] || fail "the pod's container does not run as 10001"
token=$(podman exec "$container" cat /var/lib/fourdollar/write-token)
path=$(post "$kube" "$token" "Posted to the pod")
has_post "$kube$path" "Posted to the pod"
podman kube down "$work/sqlite.yaml" >/dev/null || fail "podman kube down"
