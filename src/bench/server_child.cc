#include "bench/server_child.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/clock.h"

namespace fourdollar::bench {

namespace {

// Copies the server's stderr into the log until the server closes it.
void CopyLog(UniqueFd from, std::string already_read, std::string log_path) {
  std::ofstream log(log_path, std::ios::app);
  log << already_read << std::flush;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(from.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    log.write(buffer, n);
    log.flush();
  }
}

}  // namespace

Result<std::unique_ptr<ServerChild>> ServerChild::Start(const ServerSpec& spec) {
  std::error_code ec;
  std::filesystem::create_directories(spec.data_dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + spec.data_dir + ": " + ec.message());
  std::vector<std::string> args = {
      spec.binary,    "serve",
      "--listen",     "127.0.0.1:0",
      "--db",         "sqlite:" + spec.data_dir + "/blog.db",
      "--threads",    std::to_string(spec.threads),
      "--io-backend", std::string(net::IoBackendName(spec.io_backend))};
  if (!spec.tls_cert.empty()) {
    args.insert(args.end(), {"--tls-cert", spec.tls_cert, "--tls-key", spec.tls_key});
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  for (int cpu : spec.cpus) CPU_SET(cpu, &cpus);
  const bool pin = !spec.cpus.empty();

  int err_pipe[2];
  int go_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  UniqueFd err_read(err_pipe[0]);
  UniqueFd err_write(err_pipe[1]);
  if (::pipe2(go_pipe, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  UniqueFd go_read(go_pipe[0]);
  UniqueFd go_write(go_pipe[1]);
  UniqueFd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!dev_null.valid()) return ErrnoError("open /dev/null", errno);

  pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(dev_null.get(), STDIN_FILENO);
    ::dup2(dev_null.get(), STDOUT_FILENO);
    ::dup2(err_write.get(), STDERR_FILENO);
    if (pin) ::sched_setaffinity(0, sizeof cpus, &cpus);
    // Wait until the parent has moved this process into its cgroup.
    char go = 0;
    while (::read(go_read.get(), &go, 1) < 0 && errno == EINTR) {
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  err_write.Reset();
  go_read.Reset();
  std::unique_ptr<ServerChild> child(new ServerChild());
  child->pid_ = pid;
  child->pidfd_.Reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (spec.cgroup != nullptr && !spec.cgroup->dirs().empty()) {
    if (Status joined = spec.cgroup->Join(pid); !joined) {
      child->notes_.push_back("the server could not join its cgroup (" + joined.error().message +
                              "): its limits do not apply");
    }
  }
  if (::write(go_write.get(), "g", 1) != 1) return ErrnoError("write to the server", errno);
  go_write.Reset();

  // Wait for the start-up line, or for the server to exit first.
  const int64_t deadline_ns = MonotonicNowNs() + int64_t{spec.startup_timeout_ms} * 1'000'000;
  std::string text;
  bool closed = false;
  while (!serve::FindReadyLine(text) && !closed) {
    int64_t left_ms = (deadline_ns - MonotonicNowNs()) / 1'000'000;
    if (left_ms <= 0) break;
    pollfd pfd{err_read.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left_ms));
    if (ready < 0 && errno != EINTR) return ErrnoError("poll", errno);
    if (ready <= 0) continue;
    char buffer[4096];
    ssize_t n = ::read(err_read.get(), buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      closed = true;
    }
  }
  const std::string log_path = spec.data_dir + "/" + spec.log_name;
  child->log_copier_ = std::thread(CopyLog, std::move(err_read), text, log_path);
  std::optional<std::string_view> line = serve::FindReadyLine(text);
  if (!line) {
    child->Stop(2000);
    return MakeError(ErrorCode::kUnavailable,
                     std::string(closed ? "the server exited before it was ready"
                                        : "the server was not ready within " +
                                              std::to_string(spec.startup_timeout_ms) + " ms") +
                         "; it said: '" + text + "'");
  }
  Result<serve::ReadyLine> ready = serve::ParseReadyLine(*line);
  if (!ready) return tl::unexpected(ready.error());
  child->ready_ = *ready;
  if (std::optional<std::string> token_file = ready->token_file()) {
    std::ifstream file(*token_file);
    std::getline(file, child->token_);
    if (child->token_.empty()) {
      return MakeError(ErrorCode::kNotFound, "cannot read the write token in " + *token_file);
    }
  }
  return child;
}

ServerChild::~ServerChild() {
  if (!ended_ && pid_ > 0) Stop();
  if (log_copier_.joinable()) log_copier_.join();
}

std::string ServerChild::Reap(int status) {
  if (WIFEXITED(status)) {
    ended_ = "exited with code " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    ended_ = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
             strsignal(WTERMSIG(status)) + ")";
  } else {
    ended_ = "ended with wait status " + std::to_string(status);
  }
  return *ended_;
}

std::optional<std::string> ServerChild::ExitedByItself() {
  if (ended_ || pid_ <= 0) return ended_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) Reap(status);
  return ended_;
}

std::string ServerChild::Stop(int timeout_ms) {
  if (ended_) return *ended_;
  ::kill(pid_, SIGTERM);
  pollfd pfd{pidfd_.get(), POLLIN, 0};
  const int64_t deadline_ns = MonotonicNowNs() + int64_t{timeout_ms} * 1'000'000;
  bool exited = false;
  while (pidfd_.valid() && !exited) {
    int64_t left_ms = (deadline_ns - MonotonicNowNs()) / 1'000'000;
    if (left_ms <= 0) break;
    int ready = ::poll(&pfd, 1, static_cast<int>(left_ms));
    exited = ready > 0;
    if (ready < 0 && errno != EINTR) break;
  }
  std::string forced;
  if (!exited && pidfd_.valid()) {
    ::kill(pid_, SIGKILL);
    forced = " (killed: still running " + std::to_string(timeout_ms) + " ms after SIGTERM)";
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  return Reap(status) + forced;
}

}  // namespace fourdollar::bench
