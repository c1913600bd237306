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

Status BlockingConnection::StartTls(std::shared_ptr<const net::TlsContext> context,
                                    const std::string& server_name, int64_t deadline_ns) {
  Result<std::unique_ptr<net::TlsStream>> stream =
      net::TlsStream::Connect(std::move(context), fd_.get(), server_name, nullptr);
  if (!stream) return tl::unexpected(stream.error());
  for (;;) {
    const net::IoResult step = (*stream)->Handshake();
    if (step.kind == net::IoResult::Kind::kDone) break;
    if (step.kind == net::IoResult::Kind::kEof) {
      return MakeError(ErrorCode::kUnavailable, "TLS handshake: the server closed the connection");
    }
    if (step.kind == net::IoResult::Kind::kError) {
      return MakeError(ErrorCode::kUnavailable, "TLS handshake: " + (*stream)->error());
    }
    if (!WaitFor(POLLIN, deadline_ns)) {
      return MakeError(ErrorCode::kUnavailable, "TLS handshake: timed out");
    }
  }
  tls_ = std::move(*stream);
  return {};
}

net::IoResult BlockingConnection::ReadSome(char* buffer, size_t size) {
  if (tls_ != nullptr) return tls_->Read(buffer, size);
  const ssize_t n = ::recv(fd_.get(), buffer, size, 0);
  if (n > 0) return {.kind = net::IoResult::Kind::kDone, .bytes = static_cast<size_t>(n)};
  if (n == 0) return {.kind = net::IoResult::Kind::kEof};
  if (errno == EINTR || errno == EAGAIN) return {.kind = net::IoResult::Kind::kWouldBlock};
  return {.kind = net::IoResult::Kind::kError, .error = errno};
}

net::IoResult BlockingConnection::WriteSome(std::string_view data) {
  if (tls_ != nullptr) return tls_->Write(data.data(), data.size());
  const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
  if (n >= 0) return {.kind = net::IoResult::Kind::kDone, .bytes = static_cast<size_t>(n)};
  if (errno == EINTR || errno == EAGAIN) return {.kind = net::IoResult::Kind::kWouldBlock};
  return {.kind = net::IoResult::Kind::kError, .error = errno};
}

Status BlockingConnection::SendAll(std::string_view data, int64_t deadline_ns) {
  while (!data.empty()) {
    const net::IoResult sent = WriteSome(data);
    if (sent.kind == net::IoResult::Kind::kDone) {
      data.remove_prefix(sent.bytes);
    } else if (sent.kind == net::IoResult::Kind::kWouldBlock) {
      if (!WaitFor(POLLOUT, deadline_ns))
        return MakeError(ErrorCode::kUnavailable, "send: timed out");
    } else if (sent.error != 0) {
      return ErrnoError("send", sent.error);
    } else {
      return MakeError(ErrorCode::kIo, "send: " + (tls_ ? tls_->error() : "the peer left"));
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
    // Read first, wait after: TLS may hold bytes already taken from the socket.
    const net::IoResult got = ReadSome(buffer, sizeof buffer);
    if (got.kind == net::IoResult::Kind::kWouldBlock) {
      if (!WaitFor(POLLIN, deadline_ns)) {
        return MakeError(ErrorCode::kUnavailable, "no complete response in time");
      }
      continue;
    }
    if (got.kind == net::IoResult::Kind::kError) {
      if (got.error != 0) return ErrnoError("recv", got.error);
      return MakeError(ErrorCode::kIo, "TLS: " + tls_->error());
    }
    if (got.kind == net::IoResult::Kind::kEof) {
      // A close before any byte of the response is no response, whatever the parser makes of it.
      if (parser_->started() && parser_->FeedEof() == ResponseParser::State::kComplete) {
        return parser_->TakeResponse();
      }
      return MakeError(ErrorCode::kIo, "the server closed the connection");
    }
    pending_.append(buffer, got.bytes);
  }
}

Result<ClientResponse> BlockingConnection::Exchange(std::string_view request, int64_t deadline_ns) {
  if (Status sent = SendAll(request, deadline_ns); !sent) return tl::unexpected(sent.error());
  return Receive(deadline_ns);
}

}  // namespace fourdollar::http
