// `fourdollar serve` as a child process of the bench: on a fresh SQLite file in a folder of the
// results, pinned to its CPUs, moved into the bench's cgroup before it runs, in a process group
// of its own (a Ctrl-C in the terminal reaches the bench, which then stops the server), and
// killed by the kernel if the bench dies. Its stderr goes to DATA_DIR/server.log (or log_name).
//
// Not thread-safe: one thread owns each object (the log-copying thread is internal).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "bench/cgroup_limits.h"
#include "net/io_backend.h"
#include "serve/ready_line.h"

namespace fourdollar::bench {

struct ServerSpec {
  std::string binary;    // the fourdollar binary (/proc/self/exe)
  std::string data_dir;  // holds blog.db, write-token and server.log; created
  int threads = 1;
  std::vector<int> cpus;                 // affinity; empty: inherited
  const CgroupLimits* cgroup = nullptr;  // joined before exec when set
  int startup_timeout_ms = 15000;
  std::string tls_cert;  // serve HTTPS with these PEM files (--tls-cert, --tls-key) when set
  std::string tls_key;
  std::string log_name = "server.log";                 // in data_dir
  net::IoBackend io_backend = net::IoBackend::kEpoll;  // --io-backend
};

class ServerChild {
 public:
  // Starts the server and waits (bounded) for its ready line, then reads the token file.
  // Errors quote what the server printed.
  static Result<std::unique_ptr<ServerChild>> Start(const ServerSpec& spec);

  ~ServerChild();  // stops a server still running (SIGTERM, then SIGKILL)
  ServerChild(const ServerChild&) = delete;
  ServerChild& operator=(const ServerChild&) = delete;

  pid_t pid() const { return pid_; }
  const serve::ReadyLine& ready() const { return ready_; }
  const std::string& token() const { return token_; }
  // Notes from the start: e.g. a cgroup the server could not join.
  const std::vector<std::string>& notes() const { return notes_; }

  // Set (and the child reaped) when the server has exited by itself: "exited with code 2",
  // "killed by signal 9 (Killed)". Does not block.
  std::optional<std::string> ExitedByItself();

  // SIGTERM, then up to timeout_ms for the exit, then SIGKILL. Returns how it ended.
  std::string Stop(int timeout_ms = 10000);

 private:
  ServerChild() = default;
  std::string Reap(int status);

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  std::optional<std::string> ended_;
  serve::ReadyLine ready_;
  std::string token_;
  std::vector<std::string> notes_;
  std::thread log_copier_;
};

}  // namespace fourdollar::bench
