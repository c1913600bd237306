// `fourdollar serve`: the blog server (serve::BlogServer) until SIGTERM or SIGINT; SIGHUP
// reloads the TLS certificate.
#pragma once

#include <cstdint>
#include <string>

#include "cli/io_backend_flag.h"
#include "serve/blog_server.h"

namespace fourdollar::cli {

// Built once from flags and environment, then read-only.
struct ServeConfig {
  serve::BlogServerConfig server;
  std::string ready_file;  // --ready-file: where to write the ready facts as JSON; empty: none
  uint64_t open_file_limit = 0;                // as raised by main; 0: unknown
  std::string io_backend = kDefaultIoBackend;  // --io-backend; RunServe chooses (and may fall back)
};

// Starts the server, prints the ready line (and writes the ready file), waits for SIGTERM or
// SIGINT (blocked by main), then drains. Returns the exit code: 0 after a clean stop, 2 when
// start-up failed (the reason is printed on stderr).
int RunServe(const ServeConfig& config);

}  // namespace fourdollar::cli
