// `fourdollar load --start-at`: the real binary waits for the wall-clock time, sends nothing
// before it, refuses times it cannot keep, and leaves nothing behind when interrupted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/unique_fd.h"
#include "e2e/load_process.h"
#include "e2e/server_process.h"
#include "load/start_at.h"
#include "results/results.h"
#include "results/results_files.h"

namespace fourdollar::e2e {
namespace {

int64_t WallUs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// RFC 3339 in UTC with milliseconds, made here rather than by the code under test.
std::string Rfc3339(int64_t unix_us) {
  const time_t seconds = static_cast<time_t>(unix_us / 1'000'000);
  tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  const size_t n = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(text + n, sizeof text - n, ".%03lldZ",
                static_cast<long long>(unix_us % 1'000'000 / 1000));
  return text;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A listening socket on a free loopback port that never answers: the test sees the moment the
// generator's first connection arrives, independently of the generator's own clocks.
class Listener {
 public:
  Listener() {
    fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_.get(), 64) != 0 ||
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1:0";
    }
    port_ = ntohs(address.sin_port);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Waits up to timeout_ms for a connection; the wall-clock time it was accepted, or 0.
  int64_t AcceptTimeUs(int timeout_ms) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return 0;
    UniqueFd connection(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    return connection.valid() ? WallUs() : 0;
  }
  // Later connections are refused at once.
  void Close() { fd_.Reset(); }

 private:
  UniqueFd fd_;
  uint16_t port_ = 0;
};

class StartAtTest : public ::testing::Test {
 protected:
  std::filesystem::path Scenario() {
    std::filesystem::path path = dir_.path() / "short.yaml";
    std::ofstream(path) << "vus: 1\nduration: 1s\nscenarios:\n  health:\n    flow:\n"
                           "      - get: /healthz\n";
    return path;
  }
  std::vector<std::string> Args(const std::string& target, const std::string& start_at) {
    return {"load",  Scenario().string(), "--target",   target,
            "--out", out_.string(),       "--start-at", start_at};
  }

  TempDir dir_;
  std::filesystem::path out_ = dir_.path() / "out";
};

TEST_F(StartAtTest, FirstConnectionComesNoEarlierThanTheStartTime) {
  Listener listener;
  // Two seconds ahead, on a whole millisecond so that the results can record it exactly.
  const int64_t start_us = (WallUs() + 2'000'000) / 1000 * 1000;
  auto process = LoadProcess::Start(dir_.path(), Args(listener.url(), Rfc3339(start_us)));
  ASSERT_TRUE(process) << process.error().message;
  const int64_t accepted_us = listener.AcceptTimeUs(10000);
  listener.Close();
  auto run = process->Wait(30000);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_NE(accepted_us, 0) << "no connection within 10 s\n" << run->stderr_text;
  EXPECT_GE(accepted_us, start_us)
      << "the first connection came " << (start_us - accepted_us) / 1000 << " ms early";
  EXPECT_LT(accepted_us, start_us + 500'000)
      << "the first connection came " << (accepted_us - start_us) / 1000 << " ms late";
  EXPECT_EQ(run->exit_code, 0) << run->stderr_text;
  // The time as load prints it: no trailing zeros in the fraction (.81Z for 810 ms).
  EXPECT_NE(run->stderr_text.find("starting at " + load::FormatUtc(start_us)), std::string::npos)
      << run->stderr_text;
  auto results = results::ReadResults(out_.string());
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_EQ(results->run.start_unix_ms, start_us / 1000);
  EXPECT_EQ(results->run.start_at_unix_ms, start_us / 1000);
  EXPECT_NE(ReadText(out_ / "summary.json")
                .find("\"start_at_unix_ms\": " + std::to_string(start_us / 1000)),
            std::string::npos);
}

TEST_F(StartAtTest, PastTimeIsRefusedNamingItAndHowLate) {
  Listener listener;
  const int64_t start_us = (WallUs() - 10'000'000) / 1'000'000 * 1'000'000;
  const std::string start_at = "@" + std::to_string(start_us / 1'000'000);
  auto run = RunLoadToExit(dir_.path(), Args(listener.url(), start_at), 10000);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("--start-at \"" + start_at +
                                  "\": " + Rfc3339(start_us).replace(19, 4, "") + " is 1"),
            std::string::npos)
      << run->stderr_text;
  EXPECT_NE(run->stderr_text.find(" s in the past"), std::string::npos) << run->stderr_text;
  EXPECT_FALSE(std::filesystem::exists(out_));
  EXPECT_EQ(listener.AcceptTimeUs(0), 0) << "a connection was made";
}

TEST_F(StartAtTest, TimeMoreThanADayAheadIsRefused) {
  const std::string start_at = Rfc3339(WallUs() + int64_t{49} * 3600 * 1'000'000);
  auto run = RunLoadToExit(dir_.path(), Args("http://127.0.0.1:9", start_at), 10000);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("days ahead, more than 24 h"), std::string::npos)
      << run->stderr_text;
  EXPECT_FALSE(std::filesystem::exists(out_));
}

TEST_F(StartAtTest, MalformedTimeIsRefusedWithWhatToWrite) {
  auto run = RunLoadToExit(dir_.path(), Args("http://127.0.0.1:9", "20:00"), 10000);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("--start-at \"20:00\": expected an RFC 3339 time"),
            std::string::npos)
      << run->stderr_text;
}

TEST_F(StartAtTest, InterruptWhileWaitingExits130AndLeavesNothing) {
  Listener listener;
  auto process =
      LoadProcess::Start(dir_.path(), Args(listener.url(), Rfc3339(WallUs() + 60'000'000)));
  ASSERT_TRUE(process) << process.error().message;
  // Wait (bounded) for the line that says it is waiting: by then Ctrl-C is its to handle.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ReadText(dir_.path() / "load.stderr").find("starting at") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no waiting line";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  process->Signal(SIGINT);
  auto run = process->Wait(10000);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 130) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("interrupted while waiting to start"), std::string::npos)
      << run->stderr_text;
  EXPECT_FALSE(std::filesystem::exists(out_)) << "the results folder was left behind";
  EXPECT_EQ(listener.AcceptTimeUs(0), 0) << "a connection was made";
}

}  // namespace
}  // namespace fourdollar::e2e
