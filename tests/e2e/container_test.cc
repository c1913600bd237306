// The parts of the container set-up that run outside a container too: the image's health
// check script (deploy/docker/healthcheck.sh) against the real server, and nginx with
// deploy/nginx/nginx.conf in front of two real instances.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "e2e/prometheus_text.h"
#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = FOURDOLLAR_SOURCE_DIR;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a command through /bin/sh; returns its exit code (-1 when it did not exit) and what it
// wrote on stderr.
int RunShell(const std::string& command, std::string* err = nullptr) {
  FILE* pipe = popen(("(" + command + ") 2>&1 >/dev/null </dev/null").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[1024];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  int status = pclose(pipe);
  if (err != nullptr) *err = text;
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Healthcheck(const std::string& args) {
  return "bash " + (kSourceDir / "deploy" / "docker" / "healthcheck.sh").string() + " " + args;
}

class ContainerHealthcheck : public ServerTest {};

TEST_F(ContainerHealthcheck, PassesWhileTheServerAnswersHealthz) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string err;
  EXPECT_EQ(RunShell(Healthcheck(std::to_string(server_->port())), &err), 0) << err;
}

TEST_F(ContainerHealthcheck, TakesThePortFromFourdollarListen) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string err;
  EXPECT_EQ(RunShell("FOURDOLLAR_LISTEN=0.0.0.0:" + std::to_string(server_->port()) + " " +
                         Healthcheck(""),
                     &err),
            0)
      << err;
}

TEST_F(ContainerHealthcheck, FailsOnceTheServerHasStopped) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const uint16_t port = server_->port();
  ASSERT_TRUE(server_->Stop().has_value());
  std::string err;
  EXPECT_NE(RunShell(Healthcheck(std::to_string(port)), &err), 0);
  EXPECT_NE(err.find("Connection refused"), std::string::npos) << err;
}

TEST_F(ContainerHealthcheck, FailsWhenHealthzIsNotOk) {
  // A server that answers, but not 200: the script asking for a post that cannot exist.
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string script = ReadText(kSourceDir / "deploy" / "docker" / "healthcheck.sh");
  const std::string route = "printf 'GET /healthz ";
  ASSERT_NE(script.find(route), std::string::npos);
  script.replace(script.find(route), route.size(), "printf 'GET /0 ");
  fs::path copy = data_dir_.path() / "healthcheck.sh";
  std::ofstream(copy) << script;
  std::string err;
  EXPECT_EQ(RunShell("bash " + copy.string() + " " + std::to_string(server_->port()), &err), 1);
  EXPECT_NE(err.find("answered 'HTTP/1.1 404"), std::string::npos) << err;
}

// A port that was free a moment ago (nginx cannot be told to pick one).
uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

// Replaces `from` by `to` in `text`; false when `from` is not there.
bool Replace(std::string& text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  if (at == std::string::npos) return false;
  text.replace(at, from.size(), to);
  return true;
}

// nginx started as a daemon: once the starting process has exited, the master listens. The
// destructor stops the master (its pid from the pid file) and waits until it is gone.
class NginxDaemon {
 public:
  explicit NginxDaemon(fs::path folder) : folder_(std::move(folder)) {}
  ~NginxDaemon() {
    std::ifstream in(folder_ / "nginx.pid");
    pid_t pid = 0;
    if (!(in >> pid) || pid <= 0) return;
    // The master is not our child: a pidfd tells when it has gone.
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    kill(pid, SIGTERM);
    if (pidfd < 0) return;
    pollfd gone{.fd = pidfd, .events = POLLIN};
    if (poll(&gone, 1, 5000) == 0) kill(pid, SIGKILL);
    close(pidfd);
  }
  NginxDaemon(const NginxDaemon&) = delete;
  NginxDaemon& operator=(const NginxDaemon&) = delete;

 private:
  fs::path folder_;
};

TEST(NginxConfig, SpreadsRequestsRoundRobinOverTwoInstances) {
  const char* nginx = "/usr/sbin/nginx";
  if (access(nginx, X_OK) != 0) {
    GTEST_SKIP() << "no /usr/sbin/nginx (bash scripts/install-deps.sh installs nginx-light)";
  }
  TempDir first_data, second_data, nginx_dir;
  auto first = ServerProcess::Start(first_data.path());
  ASSERT_TRUE(first.has_value()) << first.error().message;
  auto second = ServerProcess::Start(second_data.path());
  ASSERT_TRUE(second.has_value()) << second.error().message;
  const uint16_t nginx_port = FreePort();
  ASSERT_NE(nginx_port, 0);

  // deploy/nginx/nginx.conf with the compose service names, the port and the pid file of this
  // machine; everything else as shipped.
  std::string conf = ReadText(kSourceDir / "deploy" / "nginx" / "nginx.conf");
  const std::string dir = nginx_dir.path().string();
  ASSERT_TRUE(Replace(conf, "blog-1:8080", "127.0.0.1:" + std::to_string((*first)->port())));
  ASSERT_TRUE(Replace(conf, "blog-2:8080", "127.0.0.1:" + std::to_string((*second)->port())));
  ASSERT_TRUE(
      Replace(conf, "listen 8080;", "listen 127.0.0.1:" + std::to_string(nginx_port) + ";"));
  ASSERT_TRUE(Replace(conf, "pid /tmp/nginx.pid;", "pid " + dir + "/nginx.pid;"));
  ASSERT_TRUE(Replace(conf, "http {\n",
                      "http {\n  client_body_temp_path " + dir + "/body;\n  proxy_temp_path " +
                          dir + "/proxy;\n  fastcgi_temp_path " + dir +
                          "/fastcgi;\n  uwsgi_temp_path " + dir + "/uwsgi;\n  scgi_temp_path " +
                          dir + "/scgi;\n"));
  std::ofstream(nginx_dir.path() / "nginx.conf") << conf;
  NginxDaemon daemon(nginx_dir.path());
  std::string err;
  // The daemon's stderr goes to a file: it would hold the pipe of RunShell open.
  ASSERT_EQ(RunShell(std::string(nginx) + " -q -p " + dir + " -c " + dir + "/nginx.conf -e " + dir +
                         "/error.log 2>" + dir + "/stderr.log",
                     &err),
            0)
      << err << ReadText(nginx_dir.path() / "stderr.log");

  // One keep-alive client connection is served by one nginx worker, whose round-robin
  // alternates between the instances.
  auto connection = HttpConnection::Connect("127.0.0.1", nginx_port);
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) {
    auto response = connection->RoundTrip("GET", "/healthz");
    ASSERT_TRUE(response.has_value()) << response.error().message;
    ASSERT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "ok\n");
  }
  for (const auto* server : {first->get(), second->get()}) {
    auto metrics = Fetch("127.0.0.1", server->port(), "GET", "/metrics");
    ASSERT_TRUE(metrics.has_value()) << metrics.error().message;
    EXPECT_EQ(FindSample(metrics->body, "fourdollar_http_requests_total", {{"route", "healthz"}}),
              kRequests / 2)
        << "instance on port " << server->port();
  }
}

}  // namespace
}  // namespace fourdollar::e2e
