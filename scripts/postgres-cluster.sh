#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 cluster for the tests: initdb in DIR/data, listening
# only on 127.0.0.1 on a free port, unix socket in DIR, trust authentication (test data only).
#
#   scripts/postgres-cluster.sh start DIR        creates the cluster (or starts it again on its
#                                                 first port) and prints its URL on stdout
#   scripts/postgres-cluster.sh stop DIR [MODE]  stops it, MODE fast (default) or immediate;
#                                                 harmless when it is not running
#
# initdb refuses to run as root, so as root the cluster belongs to the "postgres" user.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR | stop DIR [fast|immediate]" >&2
  exit 2
}
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
command=$1
dir=$2
mode=${3:-fast}
case "$mode" in fast | immediate) ;; *) usage ;; esac

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/pg_ctl" ]; then
  echo "postgres-cluster: no PostgreSQL 15 binaries in $bin (install Debian's postgresql)" >&2
  exit 1
fi

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    # From /: the caller's folder may be closed to the postgres user (a 0700 temporary clone).
    (cd / && runuser -u postgres -- "$@")
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
    if [ ! -d "$dir/data" ]; then
      if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      free_port >"$dir/port"
    fi
    port=$(cat "$dir/port")
    options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
    options+=" -c max_connections=200 -c fsync=on -c synchronous_commit=on"
    # After an immediate stop, recovery syncs the data folder; syncfs does it in one call.
    options+=" -c recovery_init_sync_method=syncfs"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w -t 60 start \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w -t 30 stop >/dev/null || true
    fi
    ;;
  *)
    usage
    ;;
esac
