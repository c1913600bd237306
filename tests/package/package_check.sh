#!/usr/bin/env bash
# Builds the Debian package and checks it as a machine would use it: its control fields and
# files; dpkg -i; the INSTALLED binary serving a page under the unit's own settings (its
# environment file, an unprivileged user, no capabilities, no new privileges, umask 0077), with
# every system call it makes checked against the unit's SystemCallFilter and every file it
# writes checked to be in its state directory; the unit through systemd-analyze (verify, which
# is shown to catch a broken copy, and the offline security review); the unit under systemd
# itself, in a throw-away container of this machine's own system (enable --now, pages, the
# process's privileges, a crash, stop, a reinstall, remove, purge); then dpkg -r keeps the
# configuration and the posts, and dpkg -P leaves nothing behind.
#
# Usage: tests/package/package_check.sh [BUILD_DIR]   (default: build, as scripts/build.sh makes)
# ctest runs it as the test package_check (label "package", alone: RUN_SERIAL) of a Release
# build folder, on that folder: ctest --test-dir build -L package --output-on-failure
#
# It installs and purges a system package, so it needs root and dpkg. Without them it says why
# and exits 77 (ctest: skipped), or 1 when CI=true (CI must not pass by skipping). It refuses to
# run over a real installation: a state directory with posts in it, a running service, or an
# edited configuration file. A package left installed by an interrupted run is simply
# reinstalled.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}

check_name=package-check
# shellcheck source=tests/support/machine_check.sh
source tests/support/machine_check.sh
require_opt_in FOURDOLLAR_PACKAGE_CHECK "it installs and purges the package on this machine"
# The systemd stage alone cannot run: the checks before it stand; under CI=true it fails.
systemd_stage_cannot_run() {
  if [ "${CI:-}" = true ]; then fail "systemd stage: $* (CI=true: not skipping)"; fi
  say "systemd stage skipped: $*"
}

[ "$(id -u)" -eq 0 ] || cannot_run "needs root to install the package (dpkg -i); run it as root"
for tool in dpkg dpkg-deb dpkg-shlibdeps file lintian systemd-analyze systemctl strace setpriv; do
  command -v "$tool" >/dev/null ||
    cannot_run "$tool is missing (bash scripts/install-deps.sh installs it)"
done
[ -f "$build/CMakeCache.txt" ] || fail "$build is not a configured build folder (run scripts/build.sh)"

unit=/lib/systemd/system/fourdollar.service
conf=/etc/fourdollar/fourdollar.conf
# DynamicUser=yes keeps the state in /var/lib/private/fourdollar, reached through the link
# /var/lib/fourdollar; `systemctl enable` adds the link below.
state_dirs=(/var/lib/private/fourdollar /var/lib/fourdollar)
wants_link=/etc/systemd/system/multi-user.target.wants/fourdollar.service

# --- Never over a real installation -------------------------------------------------------
# The state this check makes carries a mark; a run killed before its cleanup leaves it behind.
mark=/var/lib/private/fourdollar/made-by-package-check
if [ -f "$mark" ]; then
  say "removing the state an interrupted run left"
  rm -rf "${state_dirs[@]}" "$wants_link"
fi
for dir in "${state_dirs[@]}"; do
  if [ -e "$dir" ] || [ -L "$dir" ]; then
    fail "$dir exists: fourdollar holds posts on this machine, and this check purges the package"
  fi
done
if [ -d /run/systemd/system ] && systemctl is-active --quiet fourdollar.service; then
  fail "fourdollar.service is running on this machine; this check would stop and purge it"
fi
if dpkg-query -W -f='${Conffiles}' fourdollar 2>/dev/null | grep -q "$conf"; then
  shipped=$(dpkg-query -W -f='${Conffiles}' fourdollar | awk -v f="$conf" '$1 == f { print $2 }')
  if [ -f "$conf" ] && [ "$(md5sum <"$conf" | cut -d' ' -f1)" != "$shipped" ]; then
    fail "$conf was edited on this machine; this check would purge it"
  fi
fi
if dpkg-query -W fourdollar >/dev/null 2>&1; then
  say "fourdollar is installed already (an interrupted run?): reinstalling over it"
fi

# One request on its own connection (bash's /dev/tcp) to 127.0.0.1:PORT; prints the status
# code, or "none". Bounded by read -t.
http_status() {
  local port=$1 request=$2 status_line=none conn
  { exec {conn}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || {
    echo none
    return
  }
  printf '%s' "$request" >&"$conn"
  read -r -t 10 -u "$conn" status_line || true
  exec {conn}>&-
  status_line=${status_line%$'\r'}
  echo "${status_line#HTTP/1.1 }" | cut -d' ' -f1
}
get() {
  http_status "$1" "GET $2 HTTP/1.1"$'\r\nHost: localhost\r\nConnection: close\r\n\r\n'
}
# A post with the bearer token $2.
post() {
  local body='{"title":"Packaged","body":"Posted to the installed binary."}' crlf=$'\r\n'
  http_status "$1" "POST / HTTP/1.1${crlf}Host: localhost${crlf}Authorization: Bearer $2${crlf}Content-Type: application/json${crlf}Content-Length: ${#body}${crlf}Connection: close${crlf}${crlf}$body"
}

# Powers the container off (SIGTERM to systemd-nspawn), bounded by a SIGKILL after 30 s.
stop_container() {
  [ -n "$nspawn_pid" ] || return 0
  kill -TERM "$nspawn_pid" 2>/dev/null || true
  (
    sleep 30 &
    sleeper=$!
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    wait "$sleeper"
    kill -KILL "$nspawn_pid" 2>/dev/null || true
  ) &
  local watchdog=$!
  wait "$nspawn_pid" 2>/dev/null || true
  kill "$watchdog" 2>/dev/null || true
  nspawn_pid=
  remove_nspawn_leftovers
}

# systemd-nspawn leaves folders in /run (and, when stopped hard, its lock).
remove_nspawn_leftovers() {
  if [ -n "$made_nspawn_dir" ]; then
    rm -rf /run/systemd/nspawn
  else
    rm -rf /run/systemd/nspawn/propagate/fourdollar-check
  fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fourdollar-package-check-XXXXXX")
server_pid=
tracer_pid=
made_state=
made_private=
nspawn_pid=
made_nspawn_dir=
cleanup() {
  local status=$?
  stop_container
  remove_nspawn_leftovers
  if [ -n "$tracer_pid" ] && [ -z "$server_pid" ]; then
    server_pid=$(ps -o pid= --ppid "$tracer_pid" | tr -d ' ') || true
  fi
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [ -n "$tracer_pid" ]; then wait "$tracer_pid" 2>/dev/null || true; fi
  if dpkg-query -W fourdollar >/dev/null 2>&1; then
    dpkg --purge fourdollar >/dev/null 2>&1 || echo "package-check: could not purge fourdollar" >&2
  fi
  # Only what this run made, should the purge have failed to take it.
  if [ -n "$made_state" ]; then rm -rf "${state_dirs[@]}" "$wants_link"; fi
  if [ -n "$made_private" ]; then rmdir /var/lib/private 2>/dev/null || true; fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Build ---------------------------------------------------------------------------------
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
deb=$build/fourdollar_${version}_${arch}.deb
rm -f "$deb"
cmake --build "$build" --target package >"$tmp/cpack.log" 2>&1 || {
  cat "$tmp/cpack.log" >&2
  fail "cmake --build $build --target package"
}
[ -f "$deb" ] || fail "the package is not named $deb: $(ls "$build"/*.deb 2>/dev/null)"
say "built $deb ($(du -k "$deb" | cut -f1) KiB)"

# --- Control fields ------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = fourdollar ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), project $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
[ "$(field Section)" = web ] || fail "Section: $(field Section)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Description)" ] || fail "no Description"
depends=$(field Depends)
for package in libc6 libstdc++6 libsqlite3-0; do
  [[ ", $depends," == *", $package "* ]] || fail "Depends lacks $package: $depends"
done
# libpq is opened with dlopen only for postgres:// stores: suggested, never required.
[[ "$depends" != *libpq* ]] || fail "Depends names libpq: $depends"
[[ "$(field Suggests)" == *libpq5* ]] || fail "Suggests lacks libpq5: $(field Suggests)"
dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$tmp" ./conffiles ./postinst ./prerm ./postrm
grep -qx "$conf" "$tmp/conffiles" || fail "$conf is not listed in conffiles"
for script in postinst prerm postrm; do
  sh -n "$tmp/$script" || fail "$script does not parse"
done

# --- Files ---------------------------------------------------------------------------------
dpkg-deb --contents "$deb" | awk '{ print $1, $2, $6 }' >"$tmp/contents"
has() { grep -q " $1\$" "$tmp/contents" || fail "the package lacks $1"; }
mode_of() { awk -v p="$1" '$3 == p { print $1 }' "$tmp/contents"; }
for path in ./usr/bin/fourdollar "./lib/systemd/system/fourdollar.service" ".$conf" \
  ./usr/share/fourdollar/templates/list.mustache ./usr/share/fourdollar/templates/post.mustache \
  ./usr/share/fourdollar/templates/not_found.mustache ./usr/share/fourdollar/scenarios/seed.yaml \
  ./usr/share/doc/fourdollar/README.md ./usr/share/doc/fourdollar/docs/deploy.md \
  ./usr/share/doc/fourdollar/copyright ./usr/share/doc/fourdollar/changelog.gz; do
  has "$path"
done
[ "$(mode_of ./usr/bin/fourdollar)" = -rwxr-xr-x ] || fail "/usr/bin/fourdollar is $(mode_of ./usr/bin/fourdollar)"
[ "$(mode_of ".$conf")" = -rw-r----- ] || fail "$conf is $(mode_of ".$conf"), not 0640"
awk '$2 != "root/root" { print }' "$tmp/contents" | grep . && fail "files not owned by root"
awk '{ print $3 }' "$tmp/contents" |
  grep -vE '^\./(usr/bin/fourdollar|usr/share/(doc/)?fourdollar/.*|etc/fourdollar/.*|lib/systemd/system/.*|(etc|lib|usr|usr/bin|usr/share|usr/share/doc|lib/systemd)/)$' &&
  fail "files outside the package's own places (above)"
say "control fields and $(wc -l <"$tmp/contents") entries as expected; Depends: $depends"

# --- Lint ----------------------------------------------------------------------------------
# No errors; the warnings kept are listed, with the reason, in docs/deploy.md ("Licence and
# lint"). A warning not on that list fails too, so a new one is looked at.
lintian --allow-root --tag-display-limit 0 "$deb" >"$tmp/lintian" 2>&1 || true
grep '^E: ' "$tmp/lintian" && fail "lintian reports errors (above)"
grep '^W: ' "$tmp/lintian" |
  grep -vE ': (maintainer-script-calls-systemctl|no-manual-page|non-standard-file-perm 0640 != 0644 \[etc/fourdollar/fourdollar.conf\])( |$)' &&
  fail "lintian warns of something docs/deploy.md does not explain (above)"
say "lintian: no errors, $(grep -c '^W: ' "$tmp/lintian") known warnings"

# --- Install -------------------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
if ! dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
  # Dependencies missing: apt installs them (and configures fourdollar).
  apt-get install -y -q --no-install-recommends -f >>"$tmp/dpkg.log" 2>&1 || {
    cat "$tmp/dpkg.log" >&2
    fail "dpkg -i $deb"
  }
fi
[ "$(dpkg-query -W -f='${Status}' fourdollar)" = "install ok installed" ] || fail "not installed"
dpkg-query -L fourdollar >"$tmp/installed-files"
[ "$(/usr/bin/fourdollar --version)" = "fourdollar $version" ] ||
  fail "/usr/bin/fourdollar --version says '$(/usr/bin/fourdollar --version)', the package $version"

# Every library the binary needs (its DT_NEEDED entries) comes from a package in Depends
# (dpkg-shlibdeps did its job); what those libraries load in turn, their packages' own Depends
# bring (libmd4c-html0 brings libmd4c0). Every library ldd lists must resolve.
ldd /usr/bin/fourdollar >"$tmp/ldd"
if grep -q "not found" "$tmp/ldd"; then
  fail "libraries not found: $(grep "not found" "$tmp/ldd" | tr -s '\t\n' '  ')"
fi
readelf -d /usr/bin/fourdollar | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' >"$tmp/needed"
[ -s "$tmp/needed" ] || fail "readelf lists no needed library for /usr/bin/fourdollar"
while read -r name; do
  awk -v name="$name" '$1 == name && $2 == "=>" { print $3; found = 1 }
    END { if (!found) print name }' "$tmp/ldd"
done <"$tmp/needed" >"$tmp/libraries"
while read -r library; do
  owner=$(dpkg -S "$library" 2>/dev/null || dpkg -S "$(readlink -f "$library")" 2>/dev/null ||
    dpkg -S "/usr$library" 2>/dev/null) || fail "no package owns $library"
  owner=${owner%%:*}
  [[ ", $depends," == *", $owner "* ]] || fail "$library comes from $owner, not in Depends: $depends"
done <"$tmp/libraries"
say "installed; /usr/bin/fourdollar --version: $version; its $(wc -l <"$tmp/libraries") needed libraries all from Depends"

# --- The unit ------------------------------------------------------------------------------
# systemd-analyze verify exits 0 on unknown keys and bad values, only printing them: any output
# fails the check. A broken copy shows the check is real here, without systemd as PID 1.
verify() {
  local out
  if out=$(systemd-analyze verify "$1" 2>&1) && [ -z "$out" ]; then return 0; fi
  echo "$out"
  return 1
}
verify "$unit" >&2 || fail "systemd-analyze verify $unit"
mkdir "$tmp/broken"
sed 's/^ProtectSystem=strict$/ProtectSystem=strikt/' "$unit" >"$tmp/broken/fourdollar.service"
grep -q '^ProtectSystem=strikt$' "$tmp/broken/fourdollar.service" || fail "no ProtectSystem= to break"
verify "$tmp/broken/fourdollar.service" >/dev/null && fail "systemd-analyze verify passes a broken unit"
sed 's|^ExecStart=/usr/bin/fourdollar|ExecStart=/usr/bin/fourdollar-missing|' "$unit" >"$tmp/broken/fourdollar.service"
verify "$tmp/broken/fourdollar.service" >/dev/null && fail "systemd-analyze verify passes a missing binary"
# The offline review scores exposure 0-10 (threshold in tenths): this unit scores about 1.2.
systemd-analyze security --offline=true --threshold=20 "$unit" >"$tmp/security" 2>&1 || {
  cat "$tmp/security" >&2
  fail "systemd-analyze security: exposure above 2.0"
}
for setting in DynamicUser=yes StateDirectory=fourdollar ProtectSystem=strict ProtectHome=yes \
  PrivateTmp=yes PrivateDevices=yes NoNewPrivileges=yes CapabilityBoundingSet= \
  "EnvironmentFile=$conf" "ExecStart=/usr/bin/fourdollar serve" "KillSignal=SIGTERM"; do
  grep -qx "$setting" "$unit" || fail "$unit lacks $setting"
done
grep -qx 'FOURDOLLAR_DB=sqlite:/var/lib/fourdollar/[^/]*' "$conf" ||
  fail "$conf: FOURDOLLAR_DB is not a file in the state directory /var/lib/fourdollar"
say "unit verified; $(grep -o 'exposure level.*' "$tmp/security")"

# --- The installed binary, as the unit runs it ----------------------------------------------
# The unit's environment file, then a temporary store and a free port; a user with no
# privileges and no capabilities; the unit's umask and open-file limit. strace records the
# system calls. Waiting for the ready line reads a pipe, bounded by read -t; the server has
# written its ready file (FOURDOLLAR_READY_FILE) before that line, and the port comes from it.
state=$tmp/state
chmod 0711 "$tmp" # the server, as nobody, passes through to its state folder
mkdir -m 0700 "$state"
chown nobody "$state"
mkfifo "$tmp/stderr"
(
  set -a
  # shellcheck source=/dev/null
  . "$conf"
  set +a
  export FOURDOLLAR_LISTEN=127.0.0.1:0 FOURDOLLAR_DB=sqlite:$state/blog.db FOURDOLLAR_THREADS=2 \
    FOURDOLLAR_READY_FILE=$state/ready.json
  umask 0077
  # LimitNOFILE=, or the most this machine allows (a container may cap it).
  limit=$(sed -n 's/^LimitNOFILE=//p' "$unit")
  hard=$(ulimit -H -n)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$limit" ]; then limit=$hard; fi
  ulimit -n "$limit"
  exec strace -f -qq -o "$tmp/strace" setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --no-new-privs --bounding-set=-all /usr/bin/fourdollar serve
) 2>"$tmp/stderr" &
tracer_pid=$!
exec {server_err}<"$tmp/stderr"
line=
# The ready line, after the line naming the loop's backend.
while read -r -t 20 -u "$server_err" line && [[ "$line" == "fourdollar: io backend: "* ]]; do :; done
[[ "$line" == "fourdollar: listening on http://127.0.0.1:"* ]] || fail "the server did not start: $line"
server_pid=$(ps -o pid= --ppid "$tracer_pid" | tr -d ' ') || true
[ -n "$server_pid" ] || fail "no server process under strace"
port=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$state/ready.json") ||
  fail "no ready file from the server"

status=$(get "$port" /)
[ "$status" = 200 ] || fail "GET / from the installed binary answered $status"
status=$(post "$port" "$(cat "$state/write-token")")
[ "$status" = 303 ] || fail "POST / with the generated token answered $status"
status=$(get "$port" /1)
[ "$status" = 200 ] || fail "GET /1 after the post answered $status"

# SIGTERM, as systemd stops it: exit 0 well within TimeoutStopSec. A watchdog bounds the wait
# (and takes its sleep along when it is no longer needed).
kill -TERM "$server_pid"
stop_seconds=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$unit")
(
  sleep "$stop_seconds" &
  sleeper=$!
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  wait "$sleeper"
  kill -KILL "$server_pid" 2>/dev/null || true
) &
watchdog=$!
server_status=0
wait "$tracer_pid" || server_status=$?
kill "$watchdog" 2>/dev/null || true
tracer_pid=
server_pid=
cat <&"$server_err" >"$tmp/server.log"
exec {server_err}<&-
[ "$server_status" = 0 ] || fail "the server exited $server_status after SIGTERM: $(cat "$tmp/server.log")"
for file in write-token blog.db; do
  [ "$(stat -c '%a %U' "$state/$file")" = "600 nobody" ] ||
    fail "$state/$file is $(stat -c '%a %U' "$state/$file"), not 600 nobody"
done

# Only the server's calls: from its execve on.
sed -n '\|execve("/usr/bin/fourdollar"|,$p' "$tmp/strace" >"$tmp/server.strace"
sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' "$tmp/server.strace" | sort -u >"$tmp/used"
[ -s "$tmp/used" ] || fail "strace recorded no system calls"
allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)$/\1/p' "$unit" | xargs)
deny=$(sed -n 's/^SystemCallFilter=~\(.*\)$/\1/p' "$unit" | xargs)
# The sets as this systemd defines them, expanded (sets name other sets).
systemd-analyze syscall-filter 2>/dev/null | awk -v allow="$allow" -v deny="$deny" '
  /^@/ { set = $1; next }
  /^ +[@a-z0-9_]/ && set != "" { members[set] = members[set] " " $1 }
  function expand(name, out,   n, parts, i) {
    if (name !~ /^@/) { out[name] = 1; return }
    if (seen[name]++) return
    n = split(members[name], parts, " ")
    for (i = 1; i <= n; i++) expand(parts[i], out)
  }
  END {
    n = split(allow, a, " "); for (i = 1; i <= n; i++) expand(a[i], allowed)
    delete seen
    n = split(deny, d, " "); for (i = 1; i <= n; i++) expand(d[i], denied)
    for (c in allowed) if (!(c in denied)) print c
  }' | sort >"$tmp/allowed"
if ! grep -qx epoll_wait "$tmp/allowed" || grep -qx mount "$tmp/allowed"; then
  fail "could not expand SystemCallFilter=$allow ~$deny"
fi
outside=$(comm -23 "$tmp/used" "$tmp/allowed" | xargs)
[ -z "$outside" ] || fail "the server calls $outside, which SystemCallFilter=$allow ~$deny refuses"
# ProtectSystem=strict: writes only in the state directory.
written=$(grep -E 'open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT)' "$tmp/server.strace" |
  grep -oE '"[^"]*"' | tr -d '"' | sort -u | grep -v "^$state/" | tr '\n' ' ' || true)
[ -z "$written" ] || fail "the server opened for writing outside its state directory: $written"
say "installed binary served GET / 200, POST / 303, GET /1 200 as nobody, stopped with exit 0;" \
  "its $(wc -l <"$tmp/used") system calls all pass SystemCallFilter=$allow ~$deny"

# --- Under systemd itself -----------------------------------------------------------------
# This machine's own system booted in a container (systemd-nspawn, to basic.target, with a
# private network) on a throw-away overlay of / whose writes go to a tmpfs: the host's files
# and ports are untouched. There, as a user would: `systemctl enable --now`, the pages, the
# service's process (its user, capabilities, seccomp), a crash and the restart, stop, a
# reinstall over the running service (postinst restarts it), dpkg -r (prerm stops it), dpkg -P
# (postrm takes the state and the enable link). Skipped, saying why, where containers cannot
# run (a failure under CI=true); the checks above still stand.
boot_check() {
  local boot=$tmp/boot deb_path init pid first_pid status
  deb_path=$(realpath "$deb")
  # The container mounts a tmpfs of its own on /tmp, where this tree may be: the package is
  # copied into the overlay (its tmpfs layer, not the host) and installed from there.
  local box_deb=/root/fourdollar-check.deb
  if ! command -v systemd-nspawn >/dev/null; then
    systemd_stage_cannot_run "no systemd-nspawn (package systemd-container)"
    return
  fi
  if ! unshare -m --propagation private true 2>/dev/null; then
    systemd_stage_cannot_run "this machine does not allow a private mount namespace"
    return
  fi
  [ -e /run/systemd/nspawn ] || made_nspawn_dir=1
  mkdir -p "$boot/rw" "$boot/root"
  # Under a running systemd, systemd-nspawn gets a scope of its own; without one, it stays in
  # this process's cgroup.
  local keep_unit=--keep-unit
  if [ -d /run/systemd/system ]; then keep_unit=; fi
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare -m --propagation private bash -c '
    set -e
    mount -t tmpfs tmpfs "$1/rw"
    mkdir "$1/rw/upper" "$1/rw/work"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$1/rw/upper,workdir=$1/rw/work" "$1/root"
    cp "$3" "$1/root/root/fourdollar-check.deb"
    exec systemd-nspawn --quiet --register=no $2 --private-network \
      --machine=fourdollar-check -D "$1/root" \
      --boot -- systemd.unit=basic.target' _ "$boot" "$keep_unit" "$deb_path" </dev/null >"$tmp/boot.log" 2>&1 &
  nspawn_pid=$!
  # The container's init appears under systemd-nspawn (bounded poll: a process has no event).
  init=
  for _ in $(seq 100); do
    init=$(ps -o pid= --ppid "$nspawn_pid" | tr -d ' ' | head -1) || true
    [ -n "$init" ] && [ "$(cat "/proc/$init/comm" 2>/dev/null)" = systemd ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$init" ] || [ "$(cat "/proc/$init/comm" 2>/dev/null)" != systemd ]; then
    local why
    why="the container did not boot here: $(tail -3 "$tmp/boot.log" | tr '\n' ' ')"
    stop_container
    systemd_stage_cannot_run "$why"
    return
  fi
  in_box() { nsenter -t "$init" -a "$@"; }
  in_box_http() { in_box bash -c "$(declare -f http_status get post); $*"; }
  # Bounded waits on the service (systemd tells no more than its state, so they poll).
  wait_for() {
    local what=$1
    shift
    for _ in $(seq 100); do
      if "$@" >/dev/null 2>&1; then return 0; fi
      sleep 0.1
    done
    fail "under systemd: $what (journal: $(in_box journalctl -u fourdollar -o cat --no-pager | tail -8 | tr '\n' ' '))"
  }
  serving() { [ "$(in_box_http get 8080 /)" = 200 ]; }
  main_pid() { in_box systemctl show -p MainPID --value fourdollar.service; }

  # Until its manager answers, then until start-up is done (running, or degraded by some unit
  # of this machine's that cannot start in a container).
  local boot_state=
  for _ in $(seq 100); do
    boot_state=$(in_box timeout 60 systemctl is-system-running --wait 2>/dev/null) || true
    case "$boot_state" in running | degraded) break ;; esac
    sleep 0.1
  done
  case "$boot_state" in running | degraded) ;; *) fail "the container did not finish booting: $boot_state" ;; esac
  local enabled
  enabled=$(in_box systemctl enable --now fourdollar.service 2>&1) ||
    fail "systemctl enable --now fourdollar: $(tr '\n' ' ' <<<"$enabled") (journal: $(in_box journalctl -u fourdollar -o cat --no-pager | tail -8 | tr '\n' ' '))"
  wait_for "GET / on port 8080 after systemctl enable --now" serving
  in_box journalctl -u fourdollar -o cat --no-pager | grep -q '^fourdollar: listening on http://0.0.0.0:8080 | store sqlite:/var/lib/fourdollar/blog.db' ||
    fail "the journal lacks the start-up line: $(in_box journalctl -u fourdollar -o cat --no-pager)"
  status=$(in_box_http post 8080 "$(in_box cat /var/lib/fourdollar/write-token)")
  [ "$status" = 303 ] || fail "under systemd: POST / with the generated token answered $status"
  [ "$(in_box stat -c '%a %U' /var/lib/private/fourdollar/write-token)" = "600 fourdollar" ] ||
    fail "under systemd: write-token is $(in_box stat -c '%a %U' /var/lib/private/fourdollar/write-token)"
  pid=$(main_pid)
  in_box grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs|Seccomp):' "/proc/$pid/status" >"$tmp/process"
  awk '$1 == "Uid:" && $2 == 0 { exit 1 }' "$tmp/process" || fail "the service runs as root"
  for expected in 'CapEff:	0000000000000000' 'CapBnd:	0000000000000000' 'NoNewPrivs:	1' 'Seccomp:	2'; do
    grep -qx "$expected" "$tmp/process" || fail "under systemd, the service's $expected is not so: $(cat "$tmp/process")"
  done

  # A crash: Restart=on-failure brings it back, the post still there.
  first_pid=$pid
  in_box kill -KILL "$pid"
  restarted() { [ "$(main_pid)" != "$first_pid" ] && [ "$(main_pid)" != 0 ] && [ "$(in_box_http get 8080 /1)" = 200 ]; }
  wait_for "a restart after SIGKILL, serving the post" restarted
  # Stop: SIGTERM, a clean exit 0 within TimeoutStopSec.
  in_box systemctl stop fourdollar.service
  status="$(in_box systemctl show -p Result --value fourdollar.service)"
  status+=" $(in_box systemctl show -p ExecMainStatus --value fourdollar.service)"
  [ "$status" = "success 0" ] || fail "systemctl stop: result and exit status $status"
  in_box systemctl start fourdollar.service
  wait_for "GET / after systemctl start" serving
  # A reinstall while running: postinst restarts it on the new files.
  first_pid=$(main_pid)
  in_box dpkg -i "$box_deb" >"$tmp/dpkg.log" 2>&1 || fail "dpkg -i over the running service: $(cat "$tmp/dpkg.log")"
  [ "$(main_pid)" != "$first_pid" ] || fail "dpkg -i over the running service did not restart it"
  # shellcheck disable=SC2016 # expanded in the container
  wait_for "GET /1 after the reinstall" in_box_http '[ "$(get 8080 /1)" = 200 ]'
  # dpkg -r stops it and keeps the posts; dpkg -P takes them and the enable link.
  in_box dpkg -r fourdollar >"$tmp/dpkg.log" 2>&1 || fail "dpkg -r under systemd: $(cat "$tmp/dpkg.log")"
  ! in_box systemctl is-active --quiet fourdollar.service || fail "dpkg -r left the service running"
  [ "$(in_box_http get 8080 /)" = none ] || fail "dpkg -r: port 8080 still answers"
  in_box test -f /var/lib/private/fourdollar/blog.db || fail "dpkg -r removed the posts"
  in_box dpkg -P fourdollar >"$tmp/dpkg.log" 2>&1 || fail "dpkg -P under systemd: $(cat "$tmp/dpkg.log")"
  for path in "${state_dirs[@]}" "$wants_link" /etc/fourdollar "$unit"; do
    if in_box test -e "$path" || in_box test -L "$path"; then fail "under systemd: $path is still there after dpkg -P"; fi
  done
  [ "$(in_box systemctl show -p LoadState --value fourdollar.service)" = not-found ] ||
    fail "systemd still knows fourdollar.service after dpkg -P"
  stop_container
  say "under systemd: enable --now served GET and POST as an unprivileged, capability-less," \
    "seccomp-filtered user; restarted after SIGKILL; stopped with exit 0; restarted by a" \
    "reinstall; stopped by dpkg -r; purged clean"
}

boot_check

# --- Remove, then purge --------------------------------------------------------------------
# What a running service leaves that purge must take: the state and the link of
# `systemctl enable` (which works on files, without systemd running).
made_state=1
if [ ! -d /var/lib/private ]; then
  mkdir -m 0700 /var/lib/private
  made_private=1
fi
mkdir -m 0700 /var/lib/private/fourdollar
cp "$state/blog.db" "$state/write-token" /var/lib/private/fourdollar/
touch "$mark"
ln -s private/fourdollar /var/lib/fourdollar
systemctl enable fourdollar.service >/dev/null 2>&1 || fail "systemctl enable fourdollar"
[ -L "$wants_link" ] || fail "systemctl enable made no $wants_link"

dpkg -r fourdollar >"$tmp/dpkg.log" 2>&1 || {
  cat "$tmp/dpkg.log" >&2
  fail "dpkg -r fourdollar"
}
[ "$(dpkg-query -W -f='${Status}' fourdollar)" = "deinstall ok config-files" ] ||
  fail "after dpkg -r: $(dpkg-query -W -f='${Status}' fourdollar)"
for path in /usr/bin/fourdollar "$unit" /usr/share/fourdollar /usr/share/doc/fourdollar; do
  [ ! -e "$path" ] || fail "$path is still there after dpkg -r"
done
[ -f "$conf" ] || fail "dpkg -r removed the conffile $conf (only purge may)"
[ -f /var/lib/private/fourdollar/blog.db ] || fail "dpkg -r removed the posts (only purge may)"

dpkg -P fourdollar >"$tmp/dpkg.log" 2>&1 || {
  cat "$tmp/dpkg.log" >&2
  fail "dpkg -P fourdollar"
}
! dpkg-query -W fourdollar >/dev/null 2>&1 || fail "dpkg still knows fourdollar after purge"
for path in "$conf" /etc/fourdollar "${state_dirs[@]}" "$wants_link"; do
  if [ -e "$path" ] || [ -L "$path" ]; then fail "$path is still there after dpkg -P"; fi
done
while read -r path; do
  # Folders shared with other packages (/usr/bin...) stay; everything of ours goes.
  if [ -e "$path" ] && ! [ -d "$path" ]; then fail "$path is still there after dpkg -P"; fi
  case "$path" in
    */fourdollar | */fourdollar/*) [ ! -e "$path" ] || fail "$path is still there after dpkg -P" ;;
  esac
done <"$tmp/installed-files"
say "dpkg -r kept $conf and the posts; dpkg -P left nothing ($(wc -l <"$tmp/installed-files") paths checked)"
say "ok"
