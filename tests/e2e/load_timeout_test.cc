// `fourdollar load`'s request timeout on a kept connection: a target that answers a connection's
// first request and never its second. The second request's timeout counts from its own send,
// not from the first request's.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include "base/unique_fd.h"
#include "e2e/load_process.h"
#include "results/results_files.h"
#include "support/temp_dir.h"

namespace fourdollar::e2e {
namespace {

// Reads from `fd` until a request's blank line, for at most `timeout_ms`. False on EOF or time.
bool ReadRequest(int fd, int timeout_ms) {
  std::string data;
  while (data.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char buffer[4096];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    data.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

TEST(LoadTimeout, ASecondRequestOnAKeptConnectionTimesOutFromItsOwnSend) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(listener.valid());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener.get(), 16), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);

  // The target: answers the first connection's first request, reads its second and stays silent
  // (later connections wait in the backlog, unanswered) until the run is over.
  std::atomic<bool> second_seen{false};
  std::atomic<bool> done{false};
  std::thread target([&] {
    pollfd p{listener.get(), POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return;
    UniqueFd connection(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid() || !ReadRequest(connection.get(), 10000)) return;
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    if (::send(connection.get(), response.data(), response.size(), MSG_NOSIGNAL) < 0) return;
    if (ReadRequest(connection.get(), 10000)) second_seen = true;
    for (int i = 0; i < 200 && !done; ++i) ::poll(nullptr, 0, 50);  // at most 10 s
  });

  test_support::TempDir dir;
  const std::filesystem::path scenario = dir.path() / "timeout.yaml";
  // The first request is answered at once; the second goes out 400 ms later on the same
  // connection and times out 1 s after that, 1.4 s after the first was sent.
  std::ofstream(scenario) << R"yaml(
vus: 1
duration: 1s
timeout: 1s
scenarios:
  two:
    flow:
      - get: /first
        name: first
        think: 400ms
      - get: /second
        name: second
)yaml";
  const std::filesystem::path out = dir.path() / "out";
  Result<LoadRun> run =
      RunLoadToExit(dir.path(),
                    {"load", scenario.string(), "--target",
                     "http://127.0.0.1:" + std::to_string(port), "--out", out.string()},
                    30000);
  done = true;
  target.join();
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_TRUE(second_seen);
  Result<results::Results> results = results::ReadResults(out.string());
  ASSERT_TRUE(results) << results.error().message;
  const results::Results& r = *results;
  uint32_t second = 0;
  while (second < r.run.names.size() && r.run.names[second] != "second") ++second;
  ASSERT_LT(second, r.run.names.size());
  auto it = r.names.find(second);
  ASSERT_NE(it, r.names.end());
  const auto timeouts = it->second.failures[static_cast<size_t>(results::FailureKind::kTimeout)];
  EXPECT_EQ(timeouts, 1u);
  EXPECT_EQ(it->second.requests, 1u);
  // Its whole timeout from its own send: never cut short by the first request's timer.
  EXPECT_GE(it->second.duration.min_us(), 1'000'000);
  EXPECT_LT(it->second.duration.max_us(), 5'000'000);
}

}  // namespace
}  // namespace fourdollar::e2e
