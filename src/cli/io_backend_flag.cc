#include "cli/io_backend_flag.h"

#include <cstdio>

namespace fourdollar::cli {

void AddIoBackendOption(CLI::App& command, std::string& name) {
  command
      .add_option("--io-backend", name,
                  "What the event loops wait with: epoll, or io_uring (epoll when the kernel or a "
                  "seccomp profile refuses it)")
      ->envname("FOURDOLLAR_IO_BACKEND")
      ->check(CLI::IsMember({"epoll", "io_uring"}))
      ->capture_default_str();
}

net::IoBackendChoice ChooseAndLogIoBackend(const std::string& name) {
  // The flag's check admitted only the two names.
  const net::IoBackend requested = net::ParseIoBackend(name).value_or(net::IoBackend::kEpoll);
  net::IoBackendChoice choice = net::ChooseIoBackend(requested);
  std::fprintf(stderr, "fourdollar: %s\n", net::DescribeIoBackend(choice).c_str());
  return choice;
}

}  // namespace fourdollar::cli
