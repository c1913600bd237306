#include "load/transport.h"

#include <sys/socket.h>

#include <cerrno>

namespace fourdollar::load {

Status TcpTransport::Open(const net::Endpoint& endpoint) {
  Result<UniqueFd> fd = net::StartConnect(endpoint);
  if (!fd) return tl::unexpected(fd.error());
  fd_ = std::move(*fd);
  return {};
}

int TcpTransport::FinishConnect() { return net::ConnectResult(fd_.get()); }

IoResult TcpTransport::Read(char* buffer, size_t size) {
  while (true) {
    ssize_t n = ::recv(fd_.get(), buffer, size, 0);
    if (n > 0) return {IoResult::Kind::kDone, static_cast<size_t>(n), 0};
    if (n == 0) return {IoResult::Kind::kEof, 0, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Kind::kWouldBlock, 0, 0};
    return {IoResult::Kind::kError, 0, errno};
  }
}

IoResult TcpTransport::Write(const char* data, size_t size) {
  while (true) {
    ssize_t n = ::send(fd_.get(), data, size, MSG_NOSIGNAL);
    if (n >= 0) return {IoResult::Kind::kDone, static_cast<size_t>(n), 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Kind::kWouldBlock, 0, 0};
    return {IoResult::Kind::kError, 0, errno};
  }
}

}  // namespace fourdollar::load
