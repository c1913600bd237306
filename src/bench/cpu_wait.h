// How long a process's threads were ready to run but waited for a CPU that something else was
// using (the kernel's run delay, /proc/PID/task/*/schedstat). A busy share of a CPU alone does
// not show that a process wanted more: on a CPU shared with other work, the wait does (the
// same hidden limit as the steal time of a shared vCPU).
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "base/result.h"

namespace fourdollar::bench {

// The summed run delay of every thread of `pid` (0: this process), in seconds. An error when
// the kernel keeps no schedstat.
Result<double> RunDelaySeconds(pid_t pid);

// Measures a process's wait over an interval: Start, then Percent at its end.
class CpuWait {
 public:
  explicit CpuWait(pid_t pid) : pid_(pid) {}
  void Start();
  // The wait since Start as a percentage of `cpus` CPUs over `load_seconds`, the part of the
  // interval under load (a step's nominal length: the process hardly runs, nor waits, before
  // the load starts and once it has drained); -1 when unknown. `ended_threads_wait_s`: the wait
  // of threads that ended within the interval, which /proc no longer lists.
  double Percent(int cpus, double load_seconds, double ended_threads_wait_s = 0) const;

 private:
  pid_t pid_;
  double start_delay_s_ = -1;
};

}  // namespace fourdollar::bench
