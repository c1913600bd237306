// `fourdollar bench`: flags into bench::BenchOptions.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "bench/bench.h"
#include "cli/io_backend_flag.h"

namespace fourdollar::cli {

struct BenchConfig {
  bench::BenchOptions options;
  std::string memory;    // as written: "512M"
  std::string visitors;  // as written: keep-alive, new, returning
  CLI::Option* posts_option = nullptr;
  std::string io_backend = kDefaultIoBackend;  // --io-backend
};

void AddBenchCommand(CLI::App& app, BenchConfig& config);
int RunBenchCommand(BenchConfig& config);

}  // namespace fourdollar::cli
