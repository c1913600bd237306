// The server machine's view: a real Prometheus node_exporter (Debian's
// prometheus-node-exporter) started by the test on a free loopback port, read by `fourdollar
// load --scrape` beside the server's own /metrics, and shown by the report (CPU by mode).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/load_process.h"
#include "e2e/server_process.h"
#include "load/scrape.h"
#include "results/results_files.h"
#include "support/temp_dir.h"

extern char** environ;

namespace fourdollar::e2e {
namespace {

using test_support::TempDir;

constexpr char kNodeExporter[] = "/usr/bin/prometheus-node-exporter";

// A loopback port free now (bound to port 0, then released).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(address.sin_port);
}

// node_exporter with the collectors the report uses, for as long as the object lives.
class NodeExporter {
 public:
  explicit NodeExporter(const std::filesystem::path& log) {
    const int port = FreePort();
    url_ = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port);
    std::vector<std::string> args = {kNodeExporter,
                                     listen,
                                     "--collector.disable-defaults",
                                     "--collector.cpu",
                                     "--collector.meminfo",
                                     "--collector.diskstats",
                                     "--collector.netdev"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, kNodeExporter, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~NodeExporter() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  NodeExporter(const NodeExporter&) = delete;
  NodeExporter& operator=(const NodeExporter&) = delete;
  bool started() const { return pid_ > 0; }
  const std::string& url() const { return url_; }

  // Waits (bounded) until it answers; its sample.
  Result<load::ScrapeSample> Ready() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      Result<load::ScrapeSample> sample = load::ScrapeMetrics(url_, 1000);
      if (sample || std::chrono::steady_clock::now() > deadline) return sample;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(NodeExporter, CpuByModeMemoryDiskAndNetworkAreRead) {
  ASSERT_TRUE(std::filesystem::exists(kNodeExporter))
      << kNodeExporter << " is missing: bash scripts/install-deps.sh installs it";
  TempDir dir;
  NodeExporter node(dir.path() / "node.log");
  ASSERT_TRUE(node.started());
  Result<load::ScrapeSample> sample = node.Ready();
  ASSERT_TRUE(sample) << sample.error().message << "\n" << ReadText(dir.path() / "node.log");
  for (const char* mode : {"user", "system", "iowait", "steal"}) {
    EXPECT_TRUE(sample->contains(results::NodeCpuKey(mode))) << mode;
  }
  EXPECT_GT(sample->at(results::NodeCpuKey("user")), 0);
  EXPECT_FALSE(sample->contains("node_cpu_seconds_total"));  // only per mode
  EXPECT_GT(sample->at("node_memory_MemAvailable_bytes"), 0);
  EXPECT_TRUE(sample->contains("node_network_receive_bytes_total"));
}

TEST(NodeExporter, ALoadRunScrapesItBesideTheServerAndTheReportShowsCpuModes) {
  ASSERT_TRUE(std::filesystem::exists(kNodeExporter))
      << kNodeExporter << " is missing: bash scripts/install-deps.sh installs it";
  TempDir dir;
  NodeExporter node(dir.path() / "node.log");
  ASSERT_TRUE(node.Ready()) << ReadText(dir.path() / "node.log");
  auto server = ServerProcess::Start(dir.path() / "server", {});
  ASSERT_TRUE(server) << server.error().message;
  const std::filesystem::path scenario = dir.path() / "read.yaml";
  std::ofstream(scenario) << "target: " << (*server)->ready().url()
                          << "\nstages:\n  - {duration: 3s, target: 4}\nscenarios:\n"
                             "  readers:\n    flow:\n      - get: /\n        name: list\n";
  const std::filesystem::path out = dir.path() / "out";
  auto run =
      RunLoadToExit(dir.path(), {"load", scenario.string(), "--out", out.string(), "--scrape",
                                 (*server)->ready().url() + "/metrics," + node.url()});
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stdout_text << run->stderr_text;
  auto results = results::ReadResults(out.string());
  ASSERT_TRUE(results) << results.error().message;
  bool server_metrics = false, node_cpu = false;
  for (const results::SecondRow& row : results->seconds) {
    server_metrics = server_metrics || row.scrape.contains("fourdollar_http_requests_total");
    node_cpu = node_cpu || row.scrape.contains(results::NodeCpuKey("steal"));
  }
  EXPECT_TRUE(server_metrics);
  EXPECT_TRUE(node_cpu);

  auto report = RunLoadToExit(
      dir.path(), {"report", out.string(), "--out", (dir.path() / "report.html").string()});
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->exit_code, 0) << report->stderr_text;
  EXPECT_NE(report->stdout_text.find("node: CPU user "), std::string::npos) << report->stdout_text;
  EXPECT_NE(report->stdout_text.find(", steal "), std::string::npos) << report->stdout_text;
  const std::string html = ReadText(dir.path() / "report.html");
  const std::string open = "<script id=\"report-data\" type=\"application/json\">";
  const size_t start = html.find(open) + open.size();
  boost::json::object page =
      boost::json::parse(html.substr(start, html.find("</script>", start) - start)).as_object();
  ASSERT_TRUE(page["node"].is_object());
  boost::json::object& cpu = page["node"].as_object()["cpu"].as_object();
  for (const char* mode : {"user", "system", "iowait", "steal"}) {
    ASSERT_TRUE(cpu.contains(mode)) << mode;
    bool any = false;
    for (const boost::json::value& v : cpu[mode].as_array()) any = any || v.is_number();
    EXPECT_TRUE(any) << mode << ": no second has a rate";
  }
}

}  // namespace
}  // namespace fourdollar::e2e
