// Which kernel interface an event loop waits with: epoll, or io_uring where the kernel allows
// it (seccomp profiles and some kernels refuse it; epoll is then the fallback).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::net {

enum class IoBackend { kEpoll, kIoUring };

// "epoll", "io_uring": the names of --io-backend and of the /metrics label.
std::string_view IoBackendName(IoBackend backend);
// The inverse of IoBackendName; an error naming the accepted values otherwise.
Result<IoBackend> ParseIoBackend(std::string_view name);

// The backend the loops of a process use, decided once at start-up.
struct IoBackendChoice {
  IoBackend backend = IoBackend::kEpoll;
  // Set when io_uring was asked for and epoll is used instead: why (the failed call and errno,
  // or the missing kernel feature).
  std::string fallback_reason;
};

// Tries `requested` (io_uring: makes and drops a ring, checks the kernel's features) and falls
// back to epoll when it cannot be used.
IoBackendChoice ChooseIoBackend(IoBackend requested);

// The start-up line: "io backend: io_uring", or "io backend: epoll (io_uring unavailable: ...)".
std::string DescribeIoBackend(const IoBackendChoice& choice);

}  // namespace fourdollar::net
