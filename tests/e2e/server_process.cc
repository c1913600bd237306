#include "e2e/server_process.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include "e2e/child_process.h"

extern char** environ;

namespace fourdollar::e2e {
namespace {

// A started server: the process and the read end of its stderr.
struct ServerChild {
  Child child;
  UniqueFd stderr_read;
};

std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view name(*entry);
    // FOURDOLLAR_IO_BACKEND is kept: scripts/test.sh runs a selection of these tests a second
    // time with it set, so that every server they start uses io_uring.
    if (name.starts_with("FOURDOLLAR_") && !name.starts_with("FOURDOLLAR_IO_BACKEND=")) continue;
    env.emplace_back(*entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Starts the binary with stdin and stdout on /dev/null and stderr on a pipe.
Result<ServerChild> Spawn(const std::filesystem::path& data_dir, const ServerOptions& options) {
  auto binary = BinaryPath();
  if (!binary) return tl::unexpected(binary.error());
  ChildSpec spec;
  spec.argv = {*binary, "serve"};
  if (options.listen_on_free_port) {
    spec.argv.insert(spec.argv.end(), {"--listen", "127.0.0.1:0"});
  }
  if (options.sqlite_in_data_dir) {
    spec.argv.insert(spec.argv.end(), {"--db", "sqlite:" + (data_dir / "blog.db").string()});
  }
  spec.argv.insert(spec.argv.end(), options.args.begin(), options.args.end());
  spec.env = ChildEnvironment(options.env);
  spec.net_namespace = options.net_namespace;
  spec.working_dir = options.working_dir;

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  UniqueFd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!dev_null.valid()) return ErrnoError("open /dev/null", errno);
  spec.stdin_fd = dev_null.get();
  spec.stdout_fd = dev_null.get();
  spec.stderr_fd = write_end.get();
  Result<Child> child = SpawnChild(std::move(spec));
  if (!child) return tl::unexpected(child.error());
  return ServerChild{std::move(*child), std::move(read_end)};
}

// Waits until the pidfd is readable (the child exited) or the time is up.
bool WaitReadable(int fd, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

Result<int> ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    return MakeError(ErrorCode::kInternal, "killed by signal " + std::to_string(WTERMSIG(status)) +
                                               " (" + strsignal(WTERMSIG(status)) + ")");
  }
  return MakeError(ErrorCode::kInternal, "unexpected wait status " + std::to_string(status));
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return text;
    }
  }
}

}  // namespace

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::filesystem::path& data_dir,
                                                            const ServerOptions& options) {
  auto child = Spawn(data_dir, options);
  if (!child) return tl::unexpected(child.error());
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->pid_ = child->child.pid;
  server->pidfd_ = std::move(child->child.pidfd);
  server->stderr_read_ = std::move(child->stderr_read);
  server->drain_ = std::thread([raw = server.get()] { raw->DrainStderr(); });

  // Wait for a complete ready line, or for stderr to close.
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.startup_timeout_ms);
  std::string line;
  {
    std::unique_lock lock(server->mutex_);
    bool found = server->changed_.wait_until(lock, deadline, [&] {
      if (std::optional<std::string_view> ready = serve::FindReadyLine(server->stderr_text_)) {
        line = std::string(*ready);
        return true;
      }
      return server->stderr_closed_;
    });
    if (!found || line.empty()) {
      std::string said = server->stderr_text_;
      lock.unlock();
      server->Kill();
      return MakeError(ErrorCode::kUnavailable,
                       std::string(found ? "server exited before its ready line"
                                         : "no ready line within " +
                                               std::to_string(options.startup_timeout_ms) + " ms") +
                           "; stderr: '" + said + "'");
    }
  }
  auto ready = serve::ParseReadyLine(line);
  if (!ready) return tl::unexpected(ready.error());
  server->ready_ = *ready;
  if (std::optional<std::string> token_file = ready->token_file()) {
    std::ifstream file(*token_file);
    std::string token;
    std::getline(file, token);
    if (!file && token.empty())
      return MakeError(ErrorCode::kNotFound, "cannot read token file " + *token_file);
    server->token_ = token;
  }
  // A token given on the command line is the one demanded.
  for (size_t i = 0; i + 1 < options.args.size(); ++i) {
    if (options.args[i] == "--write-token") server->token_ = options.args[i + 1];
  }
  return server;
}

ServerProcess::~ServerProcess() {
  const bool was_running = running();
  Result<int> code = was_running ? Stop(kStopAtEndTimeoutMs) : Result<int>(0);
  if (drain_.joinable()) drain_.join();
  if (!was_running) return;
  if (!code) {
    ADD_FAILURE() << "stopping the server with SIGTERM at the end of the test: "
                  << code.error().message << "; stderr: " << StderrText();
  } else if (*code != 0) {
    ADD_FAILURE() << "the server exited with code " << *code
                  << " after SIGTERM at the end of the test; stderr: " << StderrText();
  }
}

void ServerProcess::DrainStderr() {
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(stderr_read_.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mutex_);
    if (n <= 0) {
      stderr_closed_ = true;
      changed_.notify_all();
      return;
    }
    stderr_text_.append(buffer, static_cast<size_t>(n));
    changed_.notify_all();
  }
}

Result<int> ServerProcess::WaitForExit(int timeout_ms) {
  if (!exit_status_) {
    if (pid_ <= 0) return MakeError(ErrorCode::kInternal, "no server was started");
    if (!WaitReadable(pidfd_.get(), timeout_ms)) {
      return MakeError(ErrorCode::kUnavailable,
                       "server still running after " + std::to_string(timeout_ms) + " ms");
    }
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return ErrnoError("waitpid", errno);
    exit_status_ = status;
  }
  return ExitCode(*exit_status_);
}

Result<int> ServerProcess::Stop(int timeout_ms) {
  if (running() && ::kill(pid_, SIGTERM) != 0) return ErrnoError("kill SIGTERM", errno);
  auto code = WaitForExit(timeout_ms);
  if (!code && running()) {
    Kill();
    return MakeError(
        ErrorCode::kUnavailable,
        "server did not exit within " + std::to_string(timeout_ms) + " ms of SIGTERM; killed");
  }
  return code;
}

void ServerProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_status_ = status;
}

std::string ServerProcess::StderrText() const {
  std::lock_guard lock(mutex_);
  return stderr_text_;
}

bool ServerProcess::WaitForStderr(std::string_view text, int timeout_ms, size_t count) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [&] {
    size_t found = 0;
    for (size_t at = stderr_text_.find(text); at != std::string::npos;
         at = stderr_text_.find(text, at + text.size())) {
      ++found;
    }
    return found >= count || stderr_closed_;
  }) && !stderr_closed_;
}

Result<ExitResult> RunToExit(const std::filesystem::path& data_dir, const ServerOptions& options,
                             int timeout_ms) {
  auto child = Spawn(data_dir, options);
  if (!child) return tl::unexpected(child.error());
  bool exited = WaitReadable(child->child.pidfd.get(), timeout_ms);
  if (!exited) ::kill(child->child.pid, SIGKILL);
  int status = 0;
  while (::waitpid(child->child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  ExitResult result;
  result.stderr_text = ReadAll(child->stderr_read.get());
  if (!exited) {
    return MakeError(ErrorCode::kUnavailable, "still running after " + std::to_string(timeout_ms) +
                                                  " ms; stderr: '" + result.stderr_text + "'");
  }
  auto code = ExitCode(status);
  if (!code) return tl::unexpected(code.error());
  result.exit_code = *code;
  return result;
}

}  // namespace fourdollar::e2e
