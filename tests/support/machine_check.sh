# Shared by the checks that change this machine (tests/package/package_check.sh,
# tests/deploy/container_check.sh): sourced, not run. Set check_name before sourcing it, and
# check_timed=1 for lines that end with the seconds since the start.

say() { echo "$check_name: $*${check_timed:+ ($SECONDS s)}"; }
fail() {
  echo "$check_name: FAILED: $*" >&2
  exit 1
}
# A missing tool or right: skipped (exit 77), but a failure under CI=true, where the machine has
# everything.
cannot_run() {
  if [ "${CI:-}" = true ]; then fail "$* (CI=true: not skipping)"; fi
  echo "$check_name: skipped: $*" >&2
  exit 77
}
# require_opt_in VAR WHAT: runs only with VAR=1, so that a plain `ctest` run as root leaves the
# machine alone; WHAT says what the check would do to it.
require_opt_in() {
  if [ "${!1:-}" != 1 ]; then
    echo "$check_name: skipped: $2; set $1=1 to run it (bash scripts/test.sh --all does)" >&2
    exit 77
  fi
}
