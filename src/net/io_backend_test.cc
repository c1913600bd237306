// Choosing the backend: its names, and the fallback to epoll when io_uring is refused.
#include "net/io_backend.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>

#include "net/event_loop.h"

namespace fourdollar::net {
namespace {

TEST(IoBackend, NamesRoundTrip) {
  for (IoBackend backend : {IoBackend::kEpoll, IoBackend::kIoUring}) {
    Result<IoBackend> parsed = ParseIoBackend(IoBackendName(backend));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, backend);
  }
}

TEST(IoBackend, RejectsAnUnknownName) {
  Result<IoBackend> parsed = ParseIoBackend("kqueue");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("epoll or io_uring"), std::string::npos);
}

TEST(IoBackend, EpollIsChosenWhenAskedFor) {
  IoBackendChoice choice = ChooseIoBackend(IoBackend::kEpoll);
  EXPECT_EQ(choice.backend, IoBackend::kEpoll);
  EXPECT_EQ(choice.fallback_reason, "");
  EXPECT_EQ(DescribeIoBackend(choice), "io backend: epoll");
}

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#endif

// Makes io_uring_setup fail with EPERM in this process, as container seccomp profiles do.
// Hand-written BPF: the filter is four comparisons, and libseccomp is not otherwise needed.
bool RefuseIoUringSetup() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

TEST(IoBackend, FallsBackToEpollWhenSeccompRefusesIoUring) {
  ASSERT_EQ(ChooseIoBackend(IoBackend::kIoUring).backend, IoBackend::kIoUring)
      << "io_uring must work here for the refusal below to mean anything";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The filter stays in this child: the test process keeps io_uring.
    ::close(pipe_fds[0]);
    if (!RefuseIoUringSetup()) ::_exit(3);
    IoBackendChoice choice = ChooseIoBackend(IoBackend::kIoUring);
    std::string line = DescribeIoBackend(choice);
    [[maybe_unused]] ssize_t n = ::write(pipe_fds[1], line.data(), line.size());
    auto loop = EventLoop::Create(choice.backend);
    ::_exit(choice.backend == IoBackend::kEpoll && loop && (*loop)->backend() == IoBackend::kEpoll
                ? 0
                : 4);
  }
  ::close(pipe_fds[1]);
  std::string line;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) line.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: the filter was refused, 4: no fallback; " << line;
  EXPECT_EQ(line,
            "io backend: epoll (io_uring unavailable: io_uring_queue_init: Operation not "
            "permitted)");
}

}  // namespace
}  // namespace fourdollar::net
