#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 cluster for the tests: initdb in DIR/data, listening
# only on 127.0.0.1 on a free port, unix socket in DIR, trust authentication (test data only).
#
#   scripts/postgres-cluster.sh start DIR   prints the connection URL on stdout
#   scripts/postgres-cluster.sh stop DIR    stops it (fast); harmless when it is not running
#
# initdb refuses to run as root, so as root the cluster belongs to the "postgres" user.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command=$1
dir=$2

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/pg_ctl" ]; then
  echo "postgres-cluster: no PostgreSQL 15 binaries in $bin (install Debian's postgresql)" >&2
  exit 1
fi

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$command" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
    options+=" -c max_connections=200 -c fsync=on -c synchronous_commit=on"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w -t 30 start \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null || true
    fi
    ;;
  *)
    usage
    ;;
esac
