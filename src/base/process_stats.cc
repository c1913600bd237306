#include "base/process_stats.h"

#include <malloc.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "base/clock.h"

namespace fourdollar {

std::string ProcDir(pid_t pid) {
  return pid == 0 ? std::string("/proc/self") : "/proc/" + std::to_string(pid);
}

Result<ProcessStats> ReadProcessStats(pid_t pid) {
  const std::string dir = ProcDir(pid);
  std::ifstream stat_file(dir + "/stat");
  std::string stat;
  if (!stat_file || !std::getline(stat_file, stat)) {
    return MakeError(ErrorCode::kNotFound, "cannot read " + dir + "/stat (process gone?)");
  }
  // The command name (field 2) may hold spaces and parentheses: fields restart after the last ')'.
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos)
    return MakeError(ErrorCode::kInternal, "unexpected " + dir + "/stat");
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  ProcessStats stats;
  uint64_t utime = 0, stime = 0, start_ticks = 0, threads = 0;
  int64_t rss_pages = 0;
  // Fields from 3 (state): utime is 14, stime 15, num_threads 20, starttime 22, rss 24.
  for (int index = 3; index <= 24 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
    if (index == 20) threads = std::stoull(field);
    if (index == 22) start_ticks = std::stoull(field);
    if (index == 24) rss_pages = std::stoll(field);
  }
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  stats.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  stats.resident_bytes =
      static_cast<uint64_t>(rss_pages) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  stats.threads = threads;
  std::ifstream uptime_file("/proc/uptime");
  double uptime_seconds = 0;
  if (uptime_file >> uptime_seconds) {
    double age = uptime_seconds - static_cast<double>(start_ticks) / ticks;
    stats.start_unix_seconds = RealClock().NowUnixMs() / 1000 - static_cast<int64_t>(age);
  }
  return stats;
}

void ReturnLargeBlocksAtOnce(size_t min_bytes) {
  // Setting the threshold also turns off glibc's dynamic adjustment of it.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(min_bytes));
}

}  // namespace fourdollar
