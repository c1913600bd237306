// Choosing the backend: its names, and the fallback to epoll when io_uring is refused.
#include "net/io_backend.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "net/event_loop.h"
#include "net/refuse_syscall_test_support.h"

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
    if (!RefuseSyscall(__NR_io_uring_setup, EPERM)) ::_exit(3);
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
