#include "e2e/load_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "e2e/child_process.h"

extern char** environ;

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
  auto binary = BinaryPath();
  if (!binary) return tl::unexpected(binary.error());
  ChildSpec spec;
  spec.argv = {*binary};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  for (char** entry = environ; *entry != nullptr; ++entry) spec.env.emplace_back(*entry);
  spec.net_namespace = net_namespace;
  UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!dev_null.valid()) return ErrnoError("open /dev/null", errno);
  const std::filesystem::path out_path = dir / "load.stdout";
  const std::filesystem::path err_path = dir / "load.stderr";
  UniqueFd out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid()) return ErrnoError("open " + out_path.string(), errno);
  UniqueFd err(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!err.valid()) return ErrnoError("open " + err_path.string(), errno);
  spec.stdin_fd = dev_null.get();
  spec.stdout_fd = out.get();
  spec.stderr_fd = err.get();
  Result<Child> child = SpawnChild(std::move(spec));
  if (!child) return tl::unexpected(child.error());
  return LoadProcess(child->pid, std::move(child->pidfd), dir);
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
