// Which CPUs this process may use: its affinity mask, and how many its cgroup CPU quota leaves;
// pinning a process or thread to some of them. The one place that asks the kernel, for the
// server's default thread count, the generator's CPU figures, the bench's CPU plan and the tests
// that pin the server and the generator apart.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace fourdollar {

// The CPUs in this process's affinity mask, ascending; {0} when the kernel does not say.
std::vector<int> AllowedCpus();

// The number of CPUs this process may use: those its affinity mask allows, and no more than its
// cgroup's CPU quota amounts to, rounded up (`podman run --cpus 1` on a host of eight: 1), at
// least 1.
int AllowedCpuCount();

// Restricts a process (or, with pid 0, the calling thread and the threads it starts later) to
// `cpus`.
Status PinTo(pid_t pid, const std::vector<int>& cpus);

// "0", "1-3", "0,2,5-6".
std::string DescribeCpus(const std::vector<int>& cpus);

}  // namespace fourdollar
