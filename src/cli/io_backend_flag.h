// --io-backend (and FOURDOLLAR_IO_BACKEND) of serve, load and bench: the flag, and the start-up
// choice with its log line.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "net/io_backend.h"

namespace fourdollar::cli {

// epoll stays the default: io_uring's readiness backend did not measure 15% more requests per
// CPU-second (docs/benchmarks.md).
inline constexpr const char* kDefaultIoBackend = "epoll";

void AddIoBackendOption(CLI::App& command, std::string& name);

// The backend the loops use: `name` (checked by the flag) when the kernel allows it, else epoll.
// Prints "fourdollar: io backend: ..." to stderr, with the reason of a fallback.
net::IoBackendChoice ChooseAndLogIoBackend(const std::string& name);

}  // namespace fourdollar::cli
