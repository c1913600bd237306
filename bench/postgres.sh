#!/usr/bin/env bash
# The seed scenario (scenarios/seed.yaml) against fourdollar on SQLite (one instance), on
# PostgreSQL (one instance) and on PostgreSQL (two instances, one generator each, half the VUs
# each), in one run on this machine: servers and PostgreSQL on CPU 0, generators on CPU 1.
# Not a test: it prints numbers.
#
#   bash bench/postgres.sh            # the article's 30 s stages (1m30s per store)
#   STAGE=10s bash bench/postgres.sh  # shorter stages
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE=${STAGE:-30s}
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_fourdollar
[[ "$STAGE" =~ ^[1-9][0-9]*s$ ]] || die "STAGE must be seconds, such as 30s"

work=$(mktemp -d /tmp/fourdollar-pgbench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  bash scripts/postgres-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

token=bench-postgres-token-0123456789
sed -E "s/duration: 30s/duration: $STAGE/" scenarios/seed.yaml >"$work/seed.yaml"

# serve NAME DB: starts an instance on SERVER_CPU; sets served_url. (Not run inside $(...):
# the server would be the substitution's child.)
serve() {
  local name=$1 db=$2
  mkdir -p "$work/$name"
  taskset -c "$SERVER_CPU" "$FOURDOLLAR" serve --listen 127.0.0.1:0 --db "$db" --threads 1 \
    --write-token "$token" --ready-file "$work/$name/ready.json" 2>"$work/$name/server.log" &
  pids+=($!)
  for _ in $(seq 100); do
    [ -e "$work/$name/ready.json" ] && break
    sleep 0.1
  done
  [ -e "$work/$name/ready.json" ] || die "$name did not start: $(cat "$work/$name/server.log")"
  served_url=$(ready_field "$work/$name/ready.json" url)
}

# seed_posts URL: 1000 posts, so readers have something to open.
seed_posts() {
  cat >"$work/fill.yaml" <<YAML
arrival: {rate: 500, duration: 2s, max_vus: 50}
scenarios:
  fill:
    flow:
      - post: /
        headers: {Authorization: "Bearer $token"}
        json: {title: "\${random.words(3,8)}", body: "\${random.text(200,2000)}"}
YAML
  taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/fill.yaml" --target "$1" --out "$work/fill-$RANDOM" >/dev/null 2>&1 ||
    die "seeding $1 failed"
}

# run LABEL URL [SEGMENT]: the seed scenario; results in $work/LABEL.
run() {
  local label=$1 url=$2 segment=${3:-1/1}
  FOURDOLLAR_WRITE_TOKEN=$token taskset -c "$LOAD_CPU" "$FOURDOLLAR" load "$work/seed.yaml" \
    --target "$url" --segment "$segment" --out "$work/$label" >"$work/$label.out" 2>&1 ||
    [ $? -eq 99 ] || die "$label failed: $(tail -5 "$work/$label.out")"
}

# figures LABEL...: requests/s, p95 (the worst of the generators), posts/s, summed over folders.
figures() {
  python3 - "$work" "$@" <<'PY'
import json, sys
work, labels = sys.argv[1], sys.argv[2:]
rate = posts = 0.0
p95 = 0.0
for label in labels:
    d = json.load(open(f"{work}/{label}/summary.json"))
    seconds = d["run"]["duration_ms"] / 1000
    rate += d["totals"]["requests"] / seconds
    p95 = max(p95, d["totals"]["duration_ms"]["p95"])
    for n in d["names"]:
        if n["name"] == "create post":
            posts += n.get("by_status", {}).get("303", 0) / seconds
print(f"{rate:12.0f} {p95:10.2f} {posts:10.0f}")
PY
}

echo "bench: seed scenario with ${STAGE} stages; servers and PostgreSQL on CPU $SERVER_CPU, generators on CPU $LOAD_CPU"
serve sqlite "sqlite:$work/sqlite/blog.db"
sqlite_url=$served_url
seed_posts "$sqlite_url"
run sqlite "$sqlite_url"
kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; pids=()

pg_url=$(taskset -c "$SERVER_CPU" bash scripts/postgres-cluster.sh start "$work/pg")
serve pg1 "${pg_url%/*}/postgres"
one_url=$served_url
seed_posts "$one_url"
run pg1 "$one_url"
serve pg2 "${pg_url%/*}/postgres"
two_url=$served_url
run pg2a "$one_url" 1/2 &
first=$!
run pg2b "$two_url" 2/2
wait "$first"

printf '%-36s %12s %10s %10s\n' store requests/s "p95 ms" "posts/s"
printf '%-36s %s\n' "SQLite, one instance" "$(figures sqlite)"
printf '%-36s %s\n' "PostgreSQL, one instance" "$(figures pg1)"
printf '%-36s %s\n' "PostgreSQL, two instances" "$(figures pg2a pg2b)"
