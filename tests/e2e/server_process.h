// Runs the real `fourdollar` binary (path in env FOURDOLLAR_BINARY) as a child process for
// end-to-end tests: start on a free port in a given data folder, wait for the ready line,
// stop with SIGTERM, kill -9, restart on the same folder.
//
// Every ServerProcess stops a child still running in its destructor as an operator would, with
// SIGTERM, and fails the current test unless it exits 0 in time: so every test checks the
// server's clean stop, and in the sanitizer builds LeakSanitizer's verdict at its exit. A test
// that wants another ending says so: it calls Stop() and checks the code itself, or Kill() to
// crash the server on purpose. No server outlives a test. Not thread-safe: one test thread owns
// each object (the stderr drain thread is internal).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "serve/ready_line.h"
#include "support/temp_dir.h"

namespace fourdollar::e2e {

// The tests' one temporary folder (tests/support).
using test_support::TempDir;

// How to start the binary.
struct ServerOptions {
  // Adds `--listen 127.0.0.1:0`; turn off to test FOURDOLLAR_LISTEN or a bad --listen.
  bool listen_on_free_port = true;
  // Adds `--db sqlite:<data_dir>/blog.db`; turn off to test the default store path.
  bool sqlite_in_data_dir = true;
  // Flags after `serve` (and after the two defaults above).
  std::vector<std::string> args;
  // Extra environment entries, "NAME=value". Every other FOURDOLLAR_* variable of the test
  // process but FOURDOLLAR_IO_BACKEND (the backend of a whole test run) is removed from the
  // child's environment.
  std::vector<std::string> env;
  // Working directory of the child; empty keeps the test's.
  std::filesystem::path working_dir;
  // A network namespace file (/run/netns/NAME) the child enters before exec; empty keeps the
  // test's namespace.
  std::filesystem::path net_namespace;
  int startup_timeout_ms = 10000;
};

class ServerProcess {
 public:
  // Starts `FOURDOLLAR_BINARY serve ...` with stdin from /dev/null and stderr captured, then
  // waits (bounded by options.startup_timeout_ms) for the ready line. Fails if the binary
  // exits first or says nothing in time (the child is then killed).
  static Result<std::unique_ptr<ServerProcess>> Start(const std::filesystem::path& data_dir,
                                                      const ServerOptions& options = {});

  // SIGTERM to a child still running, expecting exit code 0 within kStopAtEndTimeoutMs (a test
  // failure otherwise, quoting its stderr); SIGKILL if it is still there after that.
  ~ServerProcess();
  static constexpr int kStopAtEndTimeoutMs = 15000;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const serve::ReadyLine& ready() const { return ready_; }
  const std::string& host() const { return ready_.host; }
  uint16_t port() const { return ready_.port; }
  pid_t pid() const { return pid_; }

  // The token the server demands: read from the token file when it generated one, or given by
  // --write-token; else empty.
  const std::string& token() const { return token_; }

  // Sends SIGTERM and waits up to timeout_ms for the exit; returns the exit code (a death by
  // signal is an error naming the signal). On timeout the child is killed and an error returned.
  Result<int> Stop(int timeout_ms = 5000);

  // Sends SIGKILL and reaps the child: a crash on purpose.
  void Kill();

  // Waits up to timeout_ms for the child to exit by itself; returns its exit code.
  Result<int> WaitForExit(int timeout_ms);

  // Everything the child wrote on stderr so far.
  std::string StderrText() const;
  // Waits up to timeout_ms for stderr to hold `text` `count` times; false on timeout.
  bool WaitForStderr(std::string_view text, int timeout_ms, size_t count = 1);

 private:
  ServerProcess() = default;
  void DrainStderr();
  bool running() const { return pid_ > 0 && !exit_status_.has_value(); }

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd stderr_read_;
  std::optional<int> exit_status_;  // the raw wait status once reaped
  serve::ReadyLine ready_;
  std::string token_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string stderr_text_;     // guarded by mutex_
  bool stderr_closed_ = false;  // guarded by mutex_
  std::thread drain_;
};

// Runs the binary to completion (for configuration errors): exit code and stderr.
struct ExitResult {
  int exit_code = -1;
  std::string stderr_text;
};
Result<ExitResult> RunToExit(const std::filesystem::path& data_dir, const ServerOptions& options,
                             int timeout_ms = 10000);

}  // namespace fourdollar::e2e
