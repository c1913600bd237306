#include "net/io_backend.h"

#include "net/uring_poller.h"

namespace fourdollar::net {

std::string_view IoBackendName(IoBackend backend) {
  return backend == IoBackend::kIoUring ? "io_uring" : "epoll";
}

Result<IoBackend> ParseIoBackend(std::string_view name) {
  if (name == "epoll") return IoBackend::kEpoll;
  if (name == "io_uring") return IoBackend::kIoUring;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown io backend '" + std::string(name) + "' (epoll or io_uring)");
}

IoBackendChoice ChooseIoBackend(IoBackend requested) {
  if (requested == IoBackend::kEpoll) return {};
  if (Status usable = UringPoller::Probe(); !usable) {
    return {IoBackend::kEpoll, usable.error().message};
  }
  return {IoBackend::kIoUring, ""};
}

std::string DescribeIoBackend(const IoBackendChoice& choice) {
  std::string line = "io backend: " + std::string(IoBackendName(choice.backend));
  if (!choice.fallback_reason.empty()) {
    line += " (io_uring unavailable: " + choice.fallback_reason + ")";
  }
  return line;
}

}  // namespace fourdollar::net
