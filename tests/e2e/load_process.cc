#include "e2e/load_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fourdollar::e2e {

std::string ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<LoadProcess> LoadProcess::Start(const std::filesystem::path& dir,
                                       const std::vector<std::string>& args,
                                       const std::filesystem::path& net_namespace) {
  const char* binary = std::getenv("FOURDOLLAR_BINARY");
  if (binary == nullptr)
    return MakeError(ErrorCode::kInvalidArgument, "FOURDOLLAR_BINARY is not set");
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string out_path = (dir / "load.stdout").string();
  std::string err_path = (dir / "load.stderr").string();
  UniqueFd namespace_fd;
  if (!net_namespace.empty()) {
    namespace_fd.Reset(::open(net_namespace.c_str(), O_RDONLY | O_CLOEXEC));
    if (!namespace_fd.valid()) return ErrnoError("open " + net_namespace.string(), errno);
  }
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (namespace_fd.valid() && ::setns(namespace_fd.get(), CLONE_NEWNET) != 0) _exit(127);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) _exit(127);
    dup2(out, 1);
    dup2(err, 2);
    // The child starts with default signal dispositions and an empty mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return ErrnoError("pidfd_open", errno);
  }
  return LoadProcess(pid, std::move(pidfd), dir);
}

LoadProcess::LoadProcess(LoadProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)), dir_(other.dir_) {}

LoadProcess::~LoadProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void LoadProcess::Signal(int signo) const {
  if (pid_ > 0) kill(pid_, signo);
}

Result<LoadRun> LoadProcess::Wait(int timeout_ms) {
  pollfd p{pidfd_.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) {
    return MakeError(ErrorCode::kUnavailable,
                     "fourdollar load did not exit within " + std::to_string(timeout_ms) + " ms");
  }
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  LoadRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.stdout_text = ReadTextFile(dir_ / "load.stdout");
  run.stderr_text = ReadTextFile(dir_ / "load.stderr");
  return run;
}

Result<LoadRun> RunLoadToExit(const std::filesystem::path& dir,
                              const std::vector<std::string>& args, int timeout_ms) {
  Result<LoadProcess> process = LoadProcess::Start(dir, args);
  if (!process) return tl::unexpected(process.error());
  return process->Wait(timeout_ms);
}

}  // namespace fourdollar::e2e
