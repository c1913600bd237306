// `fourdollar serve`: the blog server on N event-loop threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "http/server.h"

namespace fourdollar::cli {

// Built once from flags and environment, then read-only.
struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:./data/blog.db";
  int threads = 0;  // 0: as many as the CPUs this process may use
  std::string templates_dir;
  std::optional<std::string> write_token;
  std::string write_token_source;  // "--write-token" or "FOURDOLLAR_WRITE_TOKEN"
  bool open_writes = false;
  size_t cache_mb = 16;
  http::ServerLimits limits;
};

// Runs until SIGTERM or SIGINT, then drains and returns the exit code (0 after a clean stop,
// 2 when start-up failed; the reason is printed on stderr).
int RunServe(const ServeConfig& config);

}  // namespace fourdollar::cli
