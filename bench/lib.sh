# shellcheck shell=bash
# Shared by the benchmark scripts: sourced, not run, from the repository's root. Sets the common
# settings below, $work (start_work), server_pid, url, token and nginx_pid.

die() { echo "bench: $*" >&2; exit 1; }

# The settings every benchmark shares (environment), for a script run from the repository's
# root: the server's and the load's CPUs, the binaries.
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
FOURDOLLAR=${FOURDOLLAR:-$(pwd)/build/src/cli/fourdollar}
NGINX=${NGINX:-/usr/sbin/nginx}

# require_tools TOOL...: each on PATH ("nginx": $NGINX), or the script stops saying which.
require_tools() {
  local tool
  for tool in "$@"; do
    if [ "$tool" = nginx ]; then
      [ -x "$NGINX" ] || die "nginx is missing (apt-get install nginx-light)"
    else
      command -v "$tool" >/dev/null || die "$tool is missing (bash scripts/install-deps.sh)"
    fi
  done
}

# require_whole NAME: the setting NAME is a whole number above 0.
require_whole() {
  [[ "${!1}" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a whole number above 0, got '${!1}'"
}

# require_fourdollar: builds the binary when $FOURDOLLAR is not there yet.
require_fourdollar() { [ -x "$FOURDOLLAR" ] || bash scripts/build.sh >/dev/null; }

# start_work NAME: a temporary folder $work, and traps that stop the servers started through
# this file (server_pid, nginx_pid) and remove the folder, however the script ends. KEEP_WORK=1
# keeps the folder and says where: each run's output, and `fourdollar load`'s --out folders
# (seconds.csv: what every second of a run did).
start_work() {
  work=$(mktemp -d "/tmp/fourdollar-$1.XXXXXX")
  chmod 755 "$work"
  server_pid=""
  nginx_pid=""
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "bench: kept $work" >&2
  else
    rm -rf "$work"
  fi
}

# ready_field FILE KEY: one field of the JSON object serve writes with --ready-file.
ready_field() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2"
}

# Starts fourdollar pinned to SERVER_CPU on a fresh store, its loop on IO_BACKEND (default epoll);
# sets server_pid, url, token. SERVER_WRAPPER, when set, is a command the server is started
# through, which must exec it (e.g. "eatmydata", Debian's: every sync becomes a no-op, to see what
# the durable commits cost; never for a figure of the product as it runs).
start_fourdollar() {
  local data=$1 wrapper=()
  mkdir -p "$data"
  if [ -n "${SERVER_WRAPPER:-}" ]; then
    read -ra wrapper <<<"$SERVER_WRAPPER"
    require_tools "${wrapper[0]}"
  fi
  taskset -c "$SERVER_CPU" "${wrapper[@]}" "$FOURDOLLAR" serve --listen 127.0.0.1:0 \
    --db "sqlite:$data/blog.db" \
    --threads 1 --io-backend "${IO_BACKEND:-epoll}" --ready-file "$data/ready.json" \
    2>"$data/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    [ -e "$data/ready.json" ] && break
    kill -0 "$server_pid" 2>/dev/null || die "fourdollar exited: $(cat "$data/server.log")"
    sleep 0.1
  done
  [ -e "$data/ready.json" ] || die "fourdollar did not start within 10 s"
  url=$(ready_field "$data/ready.json" url)
  token=$(cat "$(ready_field "$data/ready.json" token_file)")
}

# A free TCP port on 127.0.0.1, chosen by the kernel (guessing one can hit a port that an
# outgoing connection holds).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# server_thread NAME: the id of the server's thread named NAME (its comm), empty when it has none.
server_thread() {
  local task
  for task in "/proc/$server_pid"/task/*; do
    if [ "$(cat "$task/comm" 2>/dev/null)" = "$1" ]; then
      basename "$task"
      return
    fi
  done
}

metric() {  # metric NAME: the value of an unlabelled sample from /metrics
  curl -sf "$url/metrics" | awk -v name="$1" '$1 == name { print $2 }'
}

# start_nginx ROOT PORT [DIRECTIVES]: nginx on SERVER_CPU serving ROOT/index.html as / on
# 127.0.0.1:PORT; DIRECTIVES (e.g. "gzip_static on;") go into that location. With NGINX_TLS_CERT
# and NGINX_TLS_KEY set, it speaks HTTPS only (TLS 1.3, tickets and a session cache); sets
# nginx_url. NGINX_WORKER_CONNECTIONS: default 4096.
start_nginx() {
  local root=$1 nginx_port=$2 extra=${3:-} listen scheme=http
  listen="listen 127.0.0.1:$nginx_port;"
  if [ -n "${NGINX_TLS_CERT:-}" ]; then
    scheme=https
    listen="listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $NGINX_TLS_CERT;
    ssl_certificate_key $NGINX_TLS_KEY;
    ssl_protocols TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets on;"
  fi
  nginx_url="$scheme://127.0.0.1:$nginx_port"
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $((${NGINX_WORKER_CONNECTIONS:-4096} + 64));
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections ${NGINX_WORKER_CONNECTIONS:-4096}; }
http {
  access_log off;
  keepalive_requests 1000000;
  sendfile on;
  tcp_nodelay on;
  open_file_cache max=16 inactive=60s;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    $listen
    root $root;
    location = / {
      default_type "text/html; charset=utf-8";
      try_files /index.html =404;
      $extra
    }
  }
}
CONF
  taskset -c "$SERVER_CPU" "$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  nginx_pid=$!
  for _ in $(seq 100); do
    curl -sfk -o /dev/null "$nginx_url/" && break
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx exited: $(cat "$work/nginx/error.log")"
    sleep 0.1
  done
}

# tree_sum PID FILE AWK: the sum over the process and its children (nginx's worker) of the
# number AWK prints from their /proc/P/FILE.
tree_sum() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk "$3" "/proc/$p/$2")))
  done
  echo "$total"
}
# cpu_ticks PID: user + system clock ticks the process and its children used so far; $hz ticks
# make a second.
# shellcheck disable=SC2016 # awk programs, for awk to expand
cpu_ticks() { tree_sum "$1" stat '{ print $14 + $15 }'; }
# rss_kb PID: resident KB of the process and its children.
# shellcheck disable=SC2016
rss_kb() { tree_sum "$1" status '/^VmRSS/ { print $2 }'; }
# shellcheck disable=SC2034 # read by the scripts that source this file
hz=$(getconf CLK_TCK)

# measure LABEL COMMAND...: runs COMMAND on LOAD_CPU under GNU time, keeping its output in
# $work/LABEL.out and "user system max_kb" in $work/LABEL.time; exit 99 (failed thresholds) is
# a finished run. With PERF_STAT=1, a command other than wrk also runs under perf stat, counting
# context switches, the loop's waits (epoll_pwait2, or epoll_wait where the kernel lacks it) and
# connect calls into $work/LABEL.perf.
measure() {
  local label=$1
  shift
  if [ "${PERF_STAT:-0}" = 1 ] && [ "$1" != wrk ]; then
    set -- perf stat -x, -o "$work/$label.perf" -e context-switches,syscalls:sys_enter_epoll_wait \
      -e syscalls:sys_enter_epoll_pwait2 \
      -e syscalls:sys_enter_connect -- "$@"
  fi
  /usr/bin/time -f "%U %S %M" -o "$work/$label.time" taskset -c "$LOAD_CPU" "$@" >"$work/$label.out" 2>&1 ||
    [ $? -eq 99 ] || die "$label failed: $(tail -5 "$work/$label.out")"
}
# The last line: GNU time writes "Command exited with non-zero status 99" first after exit 99.
cpu_seconds() { awk 'END { printf "%.2f", $1 + $2 }' "$work/$1.time"; }
max_mb() { awk 'END { printf "%.1f", $3 / 1024 }' "$work/$1.time"; }
wrk_requests() { awk '/requests in/ { print $1 }' "$work/$1.out"; }
load_requests() { sed -nE 's/^ *requests \.+: ([0-9]+) .*/\1/p' "$work/$1.out"; }
load_iterations() { sed -nE 's/^ *iterations \.+: ([0-9]+) .*/\1/p' "$work/$1.out"; }
# quotient A B [IF_ZERO]: A / B rounded to a whole number; IF_ZERO (default 0) when B is 0 (a run
# that used no CPU).
quotient() {
  awk -v a="$1" -v b="$2" -v z="${3:-0}" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print z }'
}
per_cpu() { quotient "$1" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# quantile Q: of the numbers on standard input (one per line), interpolated between the two
# nearest; 0 when there are none.
quantile() {
  sort -g | awk -v q="$1" '{ v[NR] = $1 }
    END {
      if (NR == 0) { print 0; exit }
      k = q * (NR - 1) + 1; lo = int(k)
      print (lo < NR ? v[lo] + (k - lo) * (v[lo + 1] - v[lo]) : v[NR])
    }'
}

# seed_with HEADER: scenarios/seed.yaml's flows under another execution block (YAML lines), without
# its thresholds (a run that misses them is still measured).
seed_with() {
  printf '%s\n' "$1"
  sed -n '/^scenarios:/,/^thresholds:/p' scenarios/seed.yaml | grep -v '^thresholds:'
}
# get_with HEADER: one GET / per iteration under that execution block.
get_with() { printf '%s\nscenarios:\n  get:\n    flow:\n      - get: /\n' "$1"; }

# seed_posts N: posts through wrk (bench/post.lua, on LOAD_CPU) until the server has stored N.
seed_posts() {
  for _ in $(seq 10); do
    FOURDOLLAR_TOKEN=$token taskset -c "$LOAD_CPU" wrk -t1 -c8 -d1s -s bench/post.lua "$url/" >/dev/null
    [ "$(metric fourdollar_posts_stored_total | cut -d. -f1)" -ge "$1" ] && break
  done
}

# binaries_from "$@": sets the array `binaries` to the executables given, or to $FOURDOLLAR (this
# build) when none is; dies naming one that is not executable. For the scripts that alternate
# builds.
binaries_from() {
  binaries=("$@")
  [ ${#binaries[@]} -gt 0 ] || binaries=("$FOURDOLLAR")
  local binary
  for binary in "${binaries[@]}"; do
    [ -x "$binary" ] || die "$binary: not an executable"
  done
}

# posting_scenario FILE VUS SECONDS: VUS virtual users that only post for SECONDS, each post
# checked to be answered 303 once it is durable (the redirect not followed).
posting_scenario() {
  cat >"$1" <<YAML
vus: $2
duration: $3s
max_redirects: 0
scenarios:
  writers:
    flow:
      - post: /
        headers: {Authorization: "Bearer \${FOURDOLLAR_WRITE_TOKEN}"}
        json: {title: "\${random.words(3,8)}", body: "\${random.text(200,2000)}"}
        check: {status: 303}
YAML
}
