#!/bin/bash
# Exits 0 when the fourdollar server answers GET /healthz with 200; the container health check.
#   fourdollar-healthcheck [PORT]    (default: the port of FOURDOLLAR_LISTEN, else 8080)
# Written by hand with bash's /dev/tcp: the runtime image has no HTTP client, and curl would
# add a dozen libraries to it for this one request.
set -euo pipefail
listen=${FOURDOLLAR_LISTEN:-0.0.0.0:8080}
port=${1:-${listen##*:}}
if [[ ! $port =~ ^[0-9]+$ ]]; then
  echo "fourdollar-healthcheck: '$port' is not a port number" >&2
  exit 2
fi
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 2 status <&3 || true
status=${status%$'\r'}
if [[ $status != "HTTP/1.1 200 "* ]]; then
  echo "fourdollar-healthcheck: GET /healthz on port $port answered '${status:-nothing}'" >&2
  exit 1
fi
