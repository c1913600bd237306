// `fourdollar load FILE`: runs a scenario file against a server.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/io_backend_flag.h"

namespace fourdollar::cli {

struct LoadConfig {
  std::string scenario_path;
  std::string target;            // overrides the file's target
  std::vector<std::string> env;  // NAME=VALUE
  std::string stages;            // overrides the file's execution: "10s:50,10s:0"
  std::string out_dir;           // default results/<timestamp>
  int threads = 1;
  std::string segment = "1/1";
  int watch_pid = 0;
  std::string scrape_url;
  bool raw_csv = false;
  std::optional<std::string> start_at;         // --start-at as given (load/start_at.h)
  std::string io_backend = kDefaultIoBackend;  // --io-backend
};

void AddLoadCommand(CLI::App& app, LoadConfig& config);
int RunLoadCommand(const LoadConfig& config);

}  // namespace fourdollar::cli
