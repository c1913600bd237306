#include "net/tcp.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace fourdollar::net {

uint16_t Endpoint::port() const {
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

std::string Endpoint::ToString() const {
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, host,
              sizeof host);
    std::string text = "[";
    text += host;
    text += "]:";
    text += std::to_string(port());
    return text;
  }
  inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, host, sizeof host);
  std::string text = host;
  text += ':';
  text += std::to_string(port());
  return text;
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "address \"" + std::string(text) + "\": " + std::string(why) +
                         " (expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  Endpoint endpoint;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string h(host.substr(1, host.size() - 2));
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&endpoint.address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, h.c_str(), &in6->sin6_addr) != 1) return bad("not an IPv6 address");
    endpoint.length = sizeof(sockaddr_in6);
    return endpoint;
  }
  std::string h = host.empty() ? "0.0.0.0" : host == "localhost" ? "127.0.0.1" : std::string(host);
  auto* in4 = reinterpret_cast<sockaddr_in*>(&endpoint.address);
  in4->sin_family = AF_INET;
  in4->sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, h.c_str(), &in4->sin_addr) != 1) return bad("not an IPv4 address");
  endpoint.length = sizeof(sockaddr_in);
  return endpoint;
}

Result<UniqueFd> Listen(const Endpoint& endpoint, const ListenOptions& options) {
  UniqueFd fd(::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (options.reuse_port &&
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    return ErrnoError("setsockopt SO_REUSEPORT", errno);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) !=
      0) {
    return ErrnoError("bind " + endpoint.ToString(), errno);
  }
  if (::listen(fd.get(), options.backlog) != 0) return ErrnoError("listen", errno);
  return fd;
}

Result<Endpoint> LocalEndpoint(int fd) {
  Endpoint endpoint;
  endpoint.length = sizeof endpoint.address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&endpoint.address), &endpoint.length) != 0) {
    return ErrnoError("getsockname", errno);
  }
  return endpoint;
}

Result<UniqueFd> StartConnect(const Endpoint& endpoint, const Endpoint* source) {
  UniqueFd fd(::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  SetNoDelay(fd.get());
  if (source != nullptr) {
    // The port is chosen at connect, per destination, so many connections to one server can
    // share a source address beyond the 28,000 ports a bind would reserve.
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&source->address), source->length) !=
        0) {
      return ErrnoError("bind source address " + source->ToString(), errno);
    }
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) !=
          0 &&
      errno != EINPROGRESS) {
    return ErrnoError("connect " + endpoint.ToString(), errno);
  }
  return fd;
}

Result<Endpoint> ResolveHost(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int error = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (error != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot resolve \"" + host + "\": " + ::gai_strerror(error));
  }
  Endpoint endpoint;
  std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
  endpoint.length = found->ai_addrlen;
  ::freeaddrinfo(found);
  return endpoint;
}

int ConnectResult(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

void SetNoDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace fourdollar::net
