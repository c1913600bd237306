// TCP endpoints, listening and connecting sockets. All sockets are non-blocking and close-on-exec.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace fourdollar::net {

struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;

  uint16_t port() const;
  // "127.0.0.1:8080" or "[::1]:8080".
  std::string ToString() const;
};

// Parses "HOST:PORT" where HOST is an IPv4 address, "[IPv6]", "localhost" or empty (all
// interfaces). No DNS lookups: a server's listen address must not depend on the network.
Result<Endpoint> ParseEndpoint(std::string_view text);

struct ListenOptions {
  bool reuse_port = false;  // SO_REUSEPORT: several loops each accept on their own socket
  int backlog = 4096;
};

Result<UniqueFd> Listen(const Endpoint& endpoint, const ListenOptions& options);

// The address a socket is bound to (for port 0, the port the kernel chose).
Result<Endpoint> LocalEndpoint(int fd);

// Starts a non-blocking connect; the socket becomes writable when it completes (check
// ConnectResult). TCP_NODELAY is set. With `source`, the socket is bound to that local address
// first (its port 0: the kernel picks one at connect, IP_BIND_ADDRESS_NO_PORT).
Result<UniqueFd> StartConnect(const Endpoint& endpoint, const Endpoint* source = nullptr);

// The first address of `host` (DNS or /etc/hosts; a blocking lookup, made once before a run).
Result<Endpoint> ResolveHost(const std::string& host, uint16_t port);
// 0 when the connect finished well, else the errno of the failure.
int ConnectResult(int fd);

void SetNoDelay(int fd);

}  // namespace fourdollar::net
