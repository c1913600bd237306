#include "e2e/child_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace fourdollar::e2e {
namespace {

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

Result<std::string> BinaryPath() {
  const char* binary = std::getenv("FOURDOLLAR_BINARY");
  if (binary == nullptr || *binary == '\0') {
    return MakeError(ErrorCode::kInvalidArgument,
                     "FOURDOLLAR_BINARY is not set (ctest sets it to the built fourdollar)");
  }
  return std::string(binary);
}

Result<Child> SpawnChild(ChildSpec spec) {
  if (spec.argv.empty()) return MakeError(ErrorCode::kInvalidArgument, "no program to start");
  std::vector<char*> argv = CStrings(spec.argv);
  std::vector<char*> envp = CStrings(spec.env);
  const std::string working_dir = spec.working_dir.string();
  UniqueFd net_namespace;
  if (!spec.net_namespace.empty()) {
    net_namespace.Reset(::open(spec.net_namespace.c_str(), O_RDONLY | O_CLOEXEC));
    if (!net_namespace.valid()) return ErrnoError("open " + spec.net_namespace.string(), errno);
  }
  sigset_t none;
  sigemptyset(&none);

  pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (net_namespace.valid() && ::setns(net_namespace.get(), CLONE_NEWNET) != 0) ::_exit(127);
    if (::dup2(spec.stdin_fd, STDIN_FILENO) < 0 || ::dup2(spec.stdout_fd, STDOUT_FILENO) < 0 ||
        ::dup2(spec.stderr_fd, STDERR_FILENO) < 0) {
      ::_exit(127);
    }
    if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) ::_exit(127);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  Child child;
  child.pid = pid;
  child.pidfd.Reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!child.pidfd.valid()) {
    int saved = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return ErrnoError("pidfd_open", saved);
  }
  return child;
}

}  // namespace fourdollar::e2e
