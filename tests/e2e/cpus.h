// The CPUs a test may use, and pinning a thread or process to one of them: for the tests that
// put the server and the generator on different CPUs.
#pragma once

#include <sys/types.h>

#include <vector>

namespace fourdollar::e2e {

// The CPUs the calling thread may run on, in increasing order.
std::vector<int> AllowedCpus();

// Restricts thread or process `pid` (0: the calling thread) to `cpu`; false when refused.
bool PinTo(pid_t pid, int cpu);

}  // namespace fourdollar::e2e
