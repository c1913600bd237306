// Runs `fourdollar load` as a child process with its output in files, for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace fourdollar::e2e {

struct LoadRun {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

class LoadProcess {
 public:
  // Starts FOURDOLLAR_BINARY with `args` (after the binary), stdout and stderr to files in `dir`,
  // inside the network namespace file `net_namespace` when given (/run/netns/NAME). The child
  // is killed when the test process dies.
  static Result<LoadProcess> Start(const std::filesystem::path& dir,
                                   const std::vector<std::string>& args,
                                   const std::filesystem::path& net_namespace = {});
  LoadProcess(LoadProcess&& other) noexcept;
  LoadProcess& operator=(LoadProcess&&) = delete;
  ~LoadProcess();  // kills a child still running

  pid_t pid() const { return pid_; }
  void Signal(int signo) const;
  // Waits for the exit (bounded) and reads the output files.
  Result<LoadRun> Wait(int timeout_ms);

 private:
  LoadProcess(pid_t pid, UniqueFd pidfd, std::filesystem::path dir)
      : pid_(pid), pidfd_(std::move(pidfd)), dir_(std::move(dir)) {}
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  std::filesystem::path dir_;
};

// Start, then Wait.
// The whole file as text ("" when it cannot be read).
std::string ReadTextFile(const std::filesystem::path& path);

Result<LoadRun> RunLoadToExit(const std::filesystem::path& dir,
                              const std::vector<std::string>& args, int timeout_ms = 60000);

}  // namespace fourdollar::e2e
