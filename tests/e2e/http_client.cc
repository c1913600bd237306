#include "e2e/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>
#include <algorithm>
#include <cerrno>
#include <charconv>

#include "base/clock.h"

namespace fourdollar::e2e {
namespace {

constexpr size_t kMaxHeadBytes = 1 << 20;

int64_t NowMs() { return MonotonicNowNs() / 1'000'000; }

int LeftMs(int64_t deadline_ms) {
  return static_cast<int>(std::max<int64_t>(0, deadline_ms - NowMs()));
}

// Polls for `events` until the deadline; false on timeout.
Result<bool> WaitFor(int fd, short events, int64_t deadline_ms) {
  for (;;) {
    pollfd pfd{fd, events, 0};
    int ready = ::poll(&pfd, 1, LeftMs(deadline_ms));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return ErrnoError("poll", errno);
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<HttpResponse> ParseHead(std::string_view head) {
  HttpResponse response;
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad status line '" + std::string(status_line) + "'");
  }
  auto [end, ec] =
      std::from_chars(status_line.data() + 9, status_line.data() + 12, response.status);
  if (ec != std::errc() || end != status_line.data() + 12) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad status code in '" + std::string(status_line) + "'");
  }
  response.reason = std::string(Trim(status_line.substr(12)));
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t next = rest.find("\r\n");
    std::string_view line = rest.substr(0, next);
    rest = next == std::string_view::npos ? "" : rest.substr(next + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "header line without colon '" + std::string(line) + "'");
    }
    response.headers.emplace_back(std::string(line.substr(0, colon)),
                                  std::string(Trim(line.substr(colon + 1))));
  }
  return response;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

bool HttpResponse::HasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

std::string FormatRequest(std::string_view method, std::string_view target, const Headers& headers,
                          std::string_view body) {
  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  request.append("Host: 127.0.0.1\r\n");
  bool has_length = false;
  for (const auto& [name, value] : headers) {
    request.append(name).append(": ").append(value).append("\r\n");
    has_length = has_length || EqualsIgnoreCase(name, "Content-Length") ||
                 EqualsIgnoreCase(name, "Transfer-Encoding");
  }
  if (!has_length && (!body.empty() || method == "POST")) {
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  request.append("\r\n").append(body);
  return request;
}

Result<HttpConnection> HttpConnection::Connect(const std::string& host, uint16_t port,
                                               int timeout_ms) {
  int64_t deadline_ms = NowMs() + timeout_ms;
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return MakeError(ErrorCode::kInvalidArgument, "not an IPv4 address: '" + host + "'");
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS) return ErrnoError("connect", errno);
    auto ready = WaitFor(fd.get(), POLLOUT, deadline_ms);
    if (!ready) return tl::unexpected(ready.error());
    if (!*ready) return MakeError(ErrorCode::kUnavailable, "connect timed out");
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return ErrnoError("connect", error);
  }
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return HttpConnection(std::move(fd), timeout_ms);
}

Result<HttpConnection> HttpConnection::ConnectTls(const std::string& host, uint16_t port,
                                                  std::shared_ptr<const net::TlsContext> context,
                                                  const std::string& server_name,
                                                  const net::TlsSession& resume, int timeout_ms) {
  int64_t deadline_ms = NowMs() + timeout_ms;
  Result<HttpConnection> connection = Connect(host, port, timeout_ms);
  if (!connection) return connection;
  auto stream = net::TlsStream::Connect(std::move(context), connection->fd(), server_name, resume);
  if (!stream) return tl::unexpected(stream.error());
  for (;;) {
    net::IoResult r = (*stream)->Handshake();
    if (r.kind == net::IoResult::Kind::kDone) break;
    if (r.kind == net::IoResult::Kind::kEof) {
      return MakeError(ErrorCode::kUnavailable, "the server closed during the TLS handshake");
    }
    if (r.kind == net::IoResult::Kind::kError) {
      return MakeError(ErrorCode::kUnavailable, (*stream)->error());
    }
    auto ready = WaitFor(connection->fd(), POLLIN, deadline_ms);
    if (!ready) return tl::unexpected(ready.error());
    if (!*ready) return MakeError(ErrorCode::kUnavailable, "TLS handshake timed out");
  }
  connection->tls_ = std::move(*stream);
  return connection;
}

Status HttpConnection::Send(std::string_view bytes) {
  int64_t deadline_ms = NowMs() + timeout_ms_;
  while (tls_ && !bytes.empty()) {
    net::IoResult r = tls_->Write(bytes.data(), bytes.size());
    if (r.kind == net::IoResult::Kind::kDone) {
      bytes.remove_prefix(r.bytes);
      continue;
    }
    if (r.kind != net::IoResult::Kind::kWouldBlock) {
      return MakeError(ErrorCode::kUnavailable, "TLS send: " + tls_->error());
    }
    auto ready = WaitFor(fd_.get(), POLLOUT, deadline_ms);
    if (!ready) return tl::unexpected(ready.error());
    if (!*ready) return MakeError(ErrorCode::kUnavailable, "send timed out");
  }
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return ErrnoError("send", errno);
    auto ready = WaitFor(fd_.get(), POLLOUT, deadline_ms);
    if (!ready) return tl::unexpected(ready.error());
    if (!*ready) return MakeError(ErrorCode::kUnavailable, "send timed out");
  }
  return {};
}

Result<size_t> HttpConnection::ReadMore(int64_t deadline_ms) {
  char chunk[16384];
  for (;;) {
    ssize_t n = 0;
    if (tls_) {
      net::IoResult r = tls_->Read(chunk, sizeof chunk);
      n = r.kind == net::IoResult::Kind::kDone ? static_cast<ssize_t>(r.bytes) : 0;
      if (r.kind == net::IoResult::Kind::kError && r.error == 0) {
        return MakeError(ErrorCode::kUnavailable, "TLS recv: " + tls_->error());
      }
      if (r.kind == net::IoResult::Kind::kWouldBlock) {
        n = -1;
        errno = EAGAIN;
      } else if (r.kind == net::IoResult::Kind::kError) {
        n = -1;
        errno = r.error;
      }
    } else {
      n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    }
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
    if (n == 0) return 0;
    if (errno == ECONNRESET) return 0;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return ErrnoError("recv", errno);
    auto ready = WaitFor(fd_.get(), POLLIN, deadline_ms);
    if (!ready) return tl::unexpected(ready.error());
    if (!*ready) {
      return MakeError(ErrorCode::kUnavailable, "no response within " +
                                                    std::to_string(timeout_ms_) + " ms (have '" +
                                                    buffer_.substr(0, 200) + "')");
    }
  }
}

Result<HttpResponse> HttpConnection::ReadResponse(bool head_request) {
  int64_t deadline_ms = NowMs() + timeout_ms_;
  for (;;) {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (buffer_.size() > kMaxHeadBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "response head over 1 MiB");
      }
      auto n = ReadMore(deadline_ms);
      if (!n) return tl::unexpected(n.error());
      if (*n == 0) {
        return MakeError(
            ErrorCode::kUnavailable,
            "connection closed before a full response (have '" + buffer_.substr(0, 200) + "')");
      }
    }
    auto response = ParseHead(std::string_view(buffer_).substr(0, head_end));
    if (!response) return tl::unexpected(response.error());
    buffer_.erase(0, head_end + 4);
    if (response->status >= 100 && response->status < 200) continue;

    if (head_request || response->status == 204 || response->status == 304) return response;
    std::string encoding = response->Header("Transfer-Encoding");
    if (EqualsIgnoreCase(encoding, "chunked")) {
      for (;;) {
        size_t line_end;
        while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
          auto n = ReadMore(deadline_ms);
          if (!n) return tl::unexpected(n.error());
          if (*n == 0) return MakeError(ErrorCode::kUnavailable, "closed inside chunked body");
        }
        size_t size = 0;
        auto [end, ec] = std::from_chars(buffer_.data(), buffer_.data() + line_end, size, 16);
        if (ec != std::errc()) return MakeError(ErrorCode::kInvalidArgument, "bad chunk size");
        (void)end;
        // Chunk data plus its CRLF; the last chunk is followed by an empty trailer line.
        while (buffer_.size() < line_end + 2 + size + 2) {
          auto n = ReadMore(deadline_ms);
          if (!n) return tl::unexpected(n.error());
          if (*n == 0) return MakeError(ErrorCode::kUnavailable, "closed inside chunked body");
        }
        response->body.append(buffer_, line_end + 2, size);
        buffer_.erase(0, line_end + 2 + size + 2);
        if (size == 0) return response;
      }
    }
    if (response->HasHeader("Content-Length")) {
      std::string text = response->Header("Content-Length");
      size_t length = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return MakeError(ErrorCode::kInvalidArgument, "bad Content-Length '" + text + "'");
      }
      while (buffer_.size() < length) {
        auto n = ReadMore(deadline_ms);
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) return MakeError(ErrorCode::kUnavailable, "closed inside body");
      }
      response->body = buffer_.substr(0, length);
      buffer_.erase(0, length);
      return response;
    }
    // Neither length nor chunks: the body runs to the close.
    for (;;) {
      auto n = ReadMore(deadline_ms);
      if (!n) return tl::unexpected(n.error());
      if (*n == 0) break;
    }
    response->body = std::move(buffer_);
    buffer_.clear();
    return response;
  }
}

Result<HttpResponse> HttpConnection::RoundTrip(std::string_view method, std::string_view target,
                                               const Headers& headers, std::string_view body) {
  auto sent = Send(FormatRequest(method, target, headers, body));
  if (!sent) return tl::unexpected(sent.error());
  return ReadResponse(method == "HEAD");
}

Result<std::string> HttpConnection::ReadUntilClosed(int timeout_ms) {
  int64_t deadline_ms = NowMs() + timeout_ms;
  for (;;) {
    auto n = ReadMore(deadline_ms);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) {
      std::string received = std::move(buffer_);
      buffer_.clear();
      return received;
    }
  }
}

void HttpConnection::ShutdownWrite() { ::shutdown(fd_.get(), SHUT_WR); }

Result<HttpResponse> Fetch(const std::string& host, uint16_t port, std::string_view method,
                           std::string_view target, const Headers& headers, std::string_view body) {
  auto connection = HttpConnection::Connect(host, port);
  if (!connection) return tl::unexpected(connection.error());
  return connection->RoundTrip(method, target, headers, body);
}

}  // namespace fourdollar::e2e
