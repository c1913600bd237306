#!/usr/bin/env bash
# The cost of one system call that does nothing (getppid), on each CPU: what a virtual machine's
# kernel entry and exit cost, the floor under every recv, send and epoll_wait. Not a test: it
# prints numbers.
#   bash bench/syscall_cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
require_tools cc taskset
start_work syscall
cat >"$work/null_syscall.c" <<'C'
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(void) {
  const int calls = 2000000;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < calls; ++i) syscall(SYS_getppid);
  clock_gettime(CLOCK_MONOTONIC, &end);
  double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
  printf("%.0f ns per system call\n", ns / calls);
  return 0;
}
C
cc -O2 -o "$work/null_syscall" "$work/null_syscall.c"
for cpu in "$SERVER_CPU" "$LOAD_CPU"; do
  echo "CPU $cpu: $(taskset -c "$cpu" "$work/null_syscall")"
done
