#include "http/blocking_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "base/clock.h"

namespace fourdollar::http {

BlockingConnection::BlockingConnection(UniqueFd fd, uint64_t body_limit_bytes)
    : fd_(std::move(fd)), parser_(std::make_unique<ResponseParser>(body_limit_bytes)) {}

Result<BlockingConnection> BlockingConnection::Connect(const net::Endpoint& endpoint,
                                                       int64_t deadline_ns,
                                                       uint64_t body_limit_bytes) {
  Result<UniqueFd> fd = net::StartConnect(endpoint);
  if (!fd) return tl::unexpected(fd.error());
  BlockingConnection connection(std::move(*fd), body_limit_bytes);
  if (!connection.WaitFor(POLLOUT, deadline_ns)) {
    return MakeError(ErrorCode::kUnavailable, "connect to " + endpoint.ToString() + ": timed out");
  }
  if (int error = net::ConnectResult(connection.fd_.get()); error != 0) {
    return ErrnoError("connect to " + endpoint.ToString(), error);
  }
  return connection;
}

bool BlockingConnection::WaitFor(short events, int64_t deadline_ns) const {
  for (;;) {
    const int64_t left_ms = (deadline_ns - MonotonicNowNs() + 999'999) / 1'000'000;
    if (left_ms <= 0) return false;
    pollfd p{fd_.get(), events, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left_ms));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

Status BlockingConnection::SendAll(std::string_view data, int64_t deadline_ns) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      if (!WaitFor(POLLOUT, deadline_ns))
        return MakeError(ErrorCode::kUnavailable, "send: timed out");
    } else {
      return ErrnoError("send", errno);
    }
  }
  return {};
}

Result<ClientResponse> BlockingConnection::Receive(int64_t deadline_ns) {
  parser_->Reset(false);
  char buffer[16384];
  for (;;) {
    if (!pending_.empty()) {
      size_t consumed = 0;
      ResponseParser::State state = parser_->Feed(pending_, &consumed);
      pending_.erase(0, consumed);
      if (state == ResponseParser::State::kComplete) return parser_->TakeResponse();
      if (state == ResponseParser::State::kError) {
        return MakeError(ErrorCode::kIo, "unparsable response: " + parser_->ErrorReason());
      }
    }
    if (!WaitFor(POLLIN, deadline_ns)) {
      return MakeError(ErrorCode::kUnavailable, "no complete response in time");
    }
    ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return ErrnoError("recv", errno);
    if (n == 0) {
      // A close before any byte of the response is no response, whatever the parser makes of it.
      if (parser_->started() && parser_->FeedEof() == ResponseParser::State::kComplete) {
        return parser_->TakeResponse();
      }
      return MakeError(ErrorCode::kIo, "the server closed the connection");
    }
    pending_.append(buffer, static_cast<size_t>(n));
  }
}

Result<ClientResponse> BlockingConnection::Exchange(std::string_view request, int64_t deadline_ns) {
  if (Status sent = SendAll(request, deadline_ns); !sent) return tl::unexpected(sent.error());
  return Receive(deadline_ns);
}

}  // namespace fourdollar::http
