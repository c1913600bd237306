#include "base/open_files.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>

#include "base/process_stats.h"
#include "base/unique_fd.h"

namespace fourdollar {

uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<uint64_t>(limit.rlim_cur);
}

uint64_t FileDescriptorTableSize(pid_t pid) {
  std::ifstream status(ProcDir(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("FDSize:", 0) == 0) return std::strtoull(line.c_str() + 7, nullptr, 10);
  }
  return 0;
}

uint64_t ReserveFileDescriptors(uint64_t count) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      count > static_cast<uint64_t>(limit.rlim_cur)) {
    count = static_cast<uint64_t>(limit.rlim_cur);
  }
  count = std::min<uint64_t>(count, std::numeric_limits<int>::max());
  if (count > 1 && FileDescriptorTableSize() < count) {
    // A descriptor at slot count - 1 makes the kernel size the table for it; closing it keeps
    // the table. Nothing here depends on it succeeding: without it the table grows as before.
    UniqueFd any(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (any.valid()) {
      UniqueFd high(::fcntl(any.get(), F_DUPFD_CLOEXEC, static_cast<int>(count - 1)));
    }
  }
  return FileDescriptorTableSize();
}

}  // namespace fourdollar
