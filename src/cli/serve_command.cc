#include "cli/serve_command.h"

#include <signal.h>

#include <cstdio>

#include "base/open_files.h"
#include "base/process_stats.h"

namespace fourdollar::cli {

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "fourdollar: %s\n", message.c_str());
  return 2;
}

}  // namespace

int RunServe(const ServeConfig& config) {
  // Freed response buffers of a burst go back to the system rather than stay in the heap.
  ReturnLargeBlocksAtOnce(256 << 10);
  const uint64_t wanted = config.server.limits.max_connections + kDescriptorsBesideConnections;
  if (config.open_file_limit > 0 && config.open_file_limit < wanted) {
    std::fprintf(
        stderr,
        "fourdollar: warning: the open-file limit (%llu) is below --max-connections (%zu); "
        "connections beyond it are refused by the kernel\n",
        static_cast<unsigned long long>(config.open_file_limit),
        config.server.limits.max_connections);
  }
  // Before the server's threads start: grown later, the table would stall a loop as it accepts
  // (base/open_files.h).
  ReserveFileDescriptors(wanted);
  serve::BlogServerConfig server_config = config.server;
  server_config.io_backend = ChooseAndLogIoBackend(config.io_backend).backend;
  Result<std::unique_ptr<serve::BlogServer>> server = serve::BlogServer::Start(server_config);
  if (!server) return Fail(server.error().message);

  // The file first: a reader that sees the line finds the file too.
  if (!config.ready_file.empty()) {
    if (Status written = serve::WriteReadyFile(config.ready_file, (*server)->ready()); !written) {
      (void)(*server)->Drain();
      return Fail("--ready-file: " + written.error().message);
    }
  }
  if (!(*server)->plain_address().empty()) {
    std::fprintf(stderr, "fourdollar: redirecting http://%s to %s\n",
                 (*server)->plain_address().c_str(), (*server)->ready().url().c_str());
  }
  std::fprintf(stderr, "%s\n", serve::FormatReadyLine((*server)->ready()).c_str());
  std::fflush(stderr);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  int signo = 0;
  while (sigwait(&signals, &signo) == 0 && signo == SIGHUP) {
    // A renewed certificate (an ACME client's hook sends SIGHUP); a bad file keeps the old one.
    Result<std::string> reloaded = (*server)->ReloadTls();
    if (reloaded) {
      std::fprintf(stderr, "fourdollar: SIGHUP: certificate reloaded: %s\n", reloaded->c_str());
    } else {
      std::fprintf(stderr, "fourdollar: SIGHUP: certificate not reloaded, the old one stays: %s\n",
                   reloaded.error().message.c_str());
    }
    std::fflush(stderr);
  }

  // A loop still busy when the time is up is stopped anyway: the stop was asked for.
  if (Status drained = (*server)->Drain(); !drained) {
    std::fprintf(stderr, "fourdollar: warning: %s\n", drained.error().message.c_str());
  }
  return 0;
}

}  // namespace fourdollar::cli
