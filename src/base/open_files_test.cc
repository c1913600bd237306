#include "base/open_files.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <gtest/gtest.h>

namespace fourdollar {
namespace {

size_t OpenDescriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

TEST(OpenFiles, ReservingGrowsTheTableAndLeavesNoDescriptorOpen) {
  RaiseOpenFileLimit();
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  const uint64_t before = FileDescriptorTableSize();
  ASSERT_GT(before, 0u) << "no FDSize in /proc/self/status";
  const uint64_t wanted = std::min<uint64_t>(before * 8, limit.rlim_cur);
  ASSERT_GT(wanted, before) << "the open-file limit (" << limit.rlim_cur
                            << ") leaves no room to grow the table";
  const size_t open_before = OpenDescriptors();

  EXPECT_GE(ReserveFileDescriptors(wanted), wanted);
  EXPECT_GE(FileDescriptorTableSize(), wanted);
  EXPECT_EQ(OpenDescriptors(), open_before);
  errno = 0;
  EXPECT_EQ(::fcntl(static_cast<int>(wanted - 1), F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(OpenFiles, ReservingStopsAtTheOpenFileLimit) {
  // In a child, so that the lowered limit stays there.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(10);
    if (limit.rlim_max < 1024) _exit(11);
    limit.rlim_cur = 1024;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(12);
    const uint64_t table = ReserveFileDescriptors(1u << 20);
    // Asked for more than the limit allows, it reserves what the limit allows.
    _exit(table >= 1024 && table < (1u << 20) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the table was not sized to the limit; 10-12: setup";
}

}  // namespace
}  // namespace fourdollar
