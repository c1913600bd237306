#include "e2e/net_namespace.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "base/unique_fd.h"

namespace fourdollar::e2e {
namespace {

constexpr std::string_view kPrefix = "fourdollar-e2e-";
constexpr const char* kNetnsDir = "/run/netns";

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

// A name no other test process uses: this process's id and a count.
std::string UniqueName(const std::string& role) {
  static int count = 0;
  return std::string(kPrefix) + std::to_string(::getpid()) + "-" + std::to_string(++count) + "-" +
         role;
}

Status Delete(const std::string& name) {
  auto deleted = RunCommand({"ip", "netns", "delete", name});
  if (!deleted) return tl::unexpected(deleted.error());
  if (deleted->exit_code != 0) {
    return MakeError(ErrorCode::kIo, "ip netns delete " + name + ": " + deleted->output);
  }
  return {};
}

}  // namespace

Result<CommandOutput> RunCommand(const std::vector<std::string>& argv, int timeout_ms) {
  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(dev_null.get(), STDIN_FILENO);
    ::dup2(write_end.get(), STDOUT_FILENO);
    ::dup2(write_end.get(), STDERR_FILENO);
    ::execvp(pointers[0], pointers.data());
    ::_exit(127);
  }
  write_end.Reset();
  CommandOutput result;
  const int64_t deadline = SteadyMs() + timeout_ms;
  bool timed_out = false;
  char buffer[4096];
  for (;;) {
    pollfd p{read_end.get(), POLLIN, 0};
    const int64_t left = deadline - SteadyMs();
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
      timed_out = true;
      break;
    }
    const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) {
    return MakeError(ErrorCode::kUnavailable,
                     Joined(argv) + " did not finish within " + std::to_string(timeout_ms) + " ms");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  while (!result.output.empty() && result.output.back() == '\n') result.output.pop_back();
  return result;
}

std::optional<std::string> WhyNoNetNamespaces() {
  auto version = RunCommand({"ip", "-V"});
  if (!version || version->exit_code != 0) {
    return "no working `ip` command (Debian package iproute2)";
  }
  const std::string name = UniqueName("probe");
  auto added = RunCommand({"ip", "netns", "add", name});
  if (!added) return "ip netns add: " + added.error().message;
  if (added->exit_code != 0) {
    return "ip netns add is refused here (" + added->output + "); it needs root" +
           (::geteuid() == 0 ? "" : ", and this test runs as uid " + std::to_string(::geteuid()));
  }
  if (Status deleted = Delete(name); !deleted) return deleted.error().message;
  return std::nullopt;
}

void RemoveStaleNamespaces() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kPrefix)) continue;
    const pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + kPrefix.size()));
    if (owner <= 0 || owner == ::getpid()) continue;
    if (::kill(owner, 0) != 0 && errno == ESRCH) (void)Delete(name);
  }
}

Result<std::unique_ptr<NetNamespace>> NetNamespace::Create(const std::string& role) {
  const std::string name = UniqueName(role);
  auto added = RunCommand({"ip", "netns", "add", name});
  if (!added) return tl::unexpected(added.error());
  if (added->exit_code != 0) {
    return MakeError(ErrorCode::kIo, "ip netns add " + name + ": " + added->output);
  }
  std::unique_ptr<NetNamespace> ns(new NetNamespace(name));
  if (Status up = ns->Ip({"link", "set", "lo", "up"}); !up) return tl::unexpected(up.error());
  return ns;
}

NetNamespace::~NetNamespace() {
  // Deleting the namespace removes its interfaces, and a veth's peer with it.
  (void)Delete(name_);
}

std::filesystem::path NetNamespace::path() const {
  return std::filesystem::path(kNetnsDir) / name_;
}

Status NetNamespace::Ip(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"ip", "-n", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  auto ran = RunCommand(argv);
  if (!ran) return tl::unexpected(ran.error());
  if (ran->exit_code != 0) return MakeError(ErrorCode::kIo, Joined(argv) + ": " + ran->output);
  return {};
}

Result<std::unique_ptr<NamespaceLan>> NamespaceLan::Create(const std::string& prefix, int hosts) {
  std::unique_ptr<NamespaceLan> lan(new NamespaceLan());
  lan->prefix_ = prefix;
  auto hub = NetNamespace::Create("hub");
  if (!hub) return tl::unexpected(hub.error());
  lan->hub_ = std::move(*hub);
  const NetNamespace& h = *lan->hub_;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"link", "add", "name", "br0", "type", "bridge"},
           {"addr", "add", lan->hub_address() + "/24", "dev", "br0"},
           {"link", "set", "br0", "up"}}) {
    if (Status s = h.Ip(args); !s) return tl::unexpected(s.error());
  }
  for (int i = 0; i < hosts; ++i) {
    auto host = NetNamespace::Create("host" + std::to_string(i));
    if (!host) return tl::unexpected(host.error());
    const NetNamespace& n = **host;
    lan->hosts_.push_back(std::move(*host));
    // The pair is made inside the two namespaces at once, so no interface ever appears in the
    // machine's own namespace.
    const std::string port = "port" + std::to_string(i);
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"link", "add", "name", port, "type", "veth", "peer",
                                                "name", "eth0", "netns", n.name()},
                                               {"link", "set", port, "master", "br0"},
                                               {"link", "set", port, "up"}}) {
      if (Status s = h.Ip(args); !s) return tl::unexpected(s.error());
    }
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"addr", "add", lan->host_address(static_cast<size_t>(i)) + "/24", "dev", "eth0"},
             {"link", "set", "eth0", "up"}}) {
      if (Status s = n.Ip(args); !s) return tl::unexpected(s.error());
    }
  }
  return lan;
}

NamespaceLan::~NamespaceLan() {
  while (!hosts_.empty()) hosts_.pop_back();
  hub_.reset();
}

Result<HttpConnection> ConnectInNamespace(const std::filesystem::path& ns, const std::string& host,
                                          uint16_t port, int timeout_ms) {
  UniqueFd ns_fd(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns_fd.valid()) return ErrnoError("open " + ns.string(), errno);
  std::optional<Result<HttpConnection>> connection;
  // A thread of its own enters the namespace, so the caller's stays where it is; the socket
  // belongs to the namespace it was made in for its whole life.
  std::thread([&] {
    if (::setns(ns_fd.get(), CLONE_NEWNET) != 0) {
      connection = ErrnoError("setns " + ns.string(), errno);
      return;
    }
    connection = HttpConnection::Connect(host, port, timeout_ms);
  }).join();
  return std::move(*connection);
}

}  // namespace fourdollar::e2e
