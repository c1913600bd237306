// CPU time and memory of a process, read from /proc.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/result.h"

namespace fourdollar {

struct ProcessStats {
  double cpu_seconds = 0;          // user + system time since the process started
  uint64_t resident_bytes = 0;     // resident set size now
  int64_t start_unix_seconds = 0;  // when the process started (wall clock)
  uint64_t threads = 0;
};

// The /proc folder of process `pid`: "/proc/self" for 0, else "/proc/PID".
std::string ProcDir(pid_t pid);

// `pid` 0 means this process.
Result<ProcessStats> ReadProcessStats(pid_t pid = 0);

// Makes the allocator map every block of at least `min_bytes` on its own, so that freeing it
// returns the memory to the system at once. glibc otherwise raises that size after the first
// large free, and large buffers (a client's pipelined flood) then stay resident after use.
void ReturnLargeBlocksAtOnce(size_t min_bytes);

}  // namespace fourdollar
