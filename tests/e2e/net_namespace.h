// Several hosts on one machine for end-to-end tests: network namespaces joined by a bridge,
// made with iproute2's `ip` and removed by the objects that made them.
//
// Each namespace is named "fourdollar-e2e-<pid>-<n>-<role>", unique per test process; the
// destructors delete them (also when an assertion failed), and a later run deletes those of
// a test process that died before it could (RemoveStaleNamespaces). Programs are started inside
// a namespace by setns(2) in the forked child (ServerOptions::net_namespace,
// LoadProcess::Start), and the test reaches them with ConnectInNamespace. Needs root (or
// CAP_SYS_ADMIN and CAP_NET_ADMIN). Not thread-safe: one test thread owns each object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "e2e/http_client.h"

namespace fourdollar::e2e {

// Runs a program (looked up in PATH) to completion with stdin from /dev/null, bounded by
// timeout_ms (then killed); its exit code and its stdout and stderr together.
struct CommandOutput {
  int exit_code = -1;
  std::string output;
};
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv, int timeout_ms = 10000);

// Why this process cannot make network namespaces here (not root, no `ip`, `ip netns add`
// refused), or nullopt when it can. Tries by making and deleting one namespace.
std::optional<std::string> WhyNoNetNamespaces();

// Deletes the test namespaces whose creating process is no longer alive.
void RemoveStaleNamespaces();

// One named network namespace with its loopback up; deleted on destruction.
class NetNamespace {
 public:
  // role: a short word in the name ("server", "load1").
  static Result<std::unique_ptr<NetNamespace>> Create(const std::string& role);
  ~NetNamespace();
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;

  const std::string& name() const { return name_; }
  // The file that setns(2) opens: /run/netns/<name>.
  std::filesystem::path path() const;
  // Runs `ip -n <name> ARGS`; an error carries ip's output.
  Status Ip(const std::vector<std::string>& args) const;

 private:
  explicit NetNamespace(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// A LAN of namespaces: a hub namespace holding a bridge with the address <prefix>.1/24, and
// `hosts` namespaces each joined to the bridge by a veth pair, host i (from 0) with the address
// <prefix>.<i + 2>/24. `prefix` is three octets of a private range, e.g. "10.77.0": the
// addresses exist only inside these namespaces.
class NamespaceLan {
 public:
  static Result<std::unique_ptr<NamespaceLan>> Create(const std::string& prefix, int hosts);
  ~NamespaceLan();  // the hosts' namespaces first, then the hub's

  const NetNamespace& hub() const { return *hub_; }
  const NetNamespace& host(size_t i) const { return *hosts_.at(i); }
  std::string hub_address() const { return prefix_ + ".1"; }
  std::string host_address(size_t i) const { return prefix_ + "." + std::to_string(i + 2); }

 private:
  NamespaceLan() = default;
  std::string prefix_;
  std::unique_ptr<NetNamespace> hub_;
  std::vector<std::unique_ptr<NetNamespace>> hosts_;
};

// A connection to host:port made from inside the namespace at `ns` (the socket stays in that
// namespace; the calling thread's own namespace does not change).
Result<HttpConnection> ConnectInNamespace(const std::filesystem::path& ns, const std::string& host,
                                          uint16_t port, int timeout_ms = 10000);

}  // namespace fourdollar::e2e
