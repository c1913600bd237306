// A tiny blocking HTTP/1.1 client over a real TCP socket, for end-to-end tests: send raw bytes,
// read whole responses (Content-Length, chunked, or until close), every read bounded by a
// deadline. Not thread-safe: one thread uses one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "net/tls_context.h"
#include "net/tls_stream.h"

namespace fourdollar::e2e {

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header with this name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

// A header list for building requests.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The bytes of one request: request line, Host, the given headers, Content-Length when there is
// a body or the method is POST (unless the headers set Content-Length or Transfer-Encoding),
// then the body.
std::string FormatRequest(std::string_view method, std::string_view target,
                          const Headers& headers = {}, std::string_view body = "");

class HttpConnection {
 public:
  // Connects to host:port (IPv4 literal) within timeout_ms; later reads use the same timeout.
  static Result<HttpConnection> Connect(const std::string& host, uint16_t port,
                                        int timeout_ms = 10000);

  // Connects, then completes a TLS handshake with `context` (verifying `server_name` when the
  // context verifies), offering `resume` when set. A refused handshake's error says why.
  static Result<HttpConnection> ConnectTls(const std::string& host, uint16_t port,
                                           std::shared_ptr<const net::TlsContext> context,
                                           const std::string& server_name = "localhost",
                                           const net::TlsSession& resume = nullptr,
                                           int timeout_ms = 10000);

  HttpConnection(HttpConnection&&) = default;
  HttpConnection& operator=(HttpConnection&&) = default;

  // Writes all of `bytes` (bounded by the timeout).
  Status Send(std::string_view bytes);

  // Reads one response. `head_request`: the response to a HEAD has no body whatever its
  // Content-Length says. Bytes after the response stay buffered for the next call (pipelining).
  Result<HttpResponse> ReadResponse(bool head_request = false);

  // Sends one request and reads its response.
  Result<HttpResponse> RoundTrip(std::string_view method, std::string_view target,
                                 const Headers& headers = {}, std::string_view body = "");

  // Waits up to timeout_ms for the peer to close (EOF or reset). Returns the bytes received
  // before the close (e.g. an error response); an error if the connection is still open.
  Result<std::string> ReadUntilClosed(int timeout_ms);

  // Closes the sending side (shutdown SHUT_WR); the peer sees end of stream.
  void ShutdownWrite();

  int fd() const { return fd_.get(); }
  // The TLS stream of a ConnectTls connection (null on plain HTTP).
  const net::TlsStream* tls() const { return tls_.get(); }

 private:
  HttpConnection(UniqueFd fd, int timeout_ms) : fd_(std::move(fd)), timeout_ms_(timeout_ms) {}
  // Reads more bytes into buffer_; 0 means the peer closed.
  Result<size_t> ReadMore(int64_t deadline_ms);

  UniqueFd fd_;
  int timeout_ms_ = 10000;
  std::string buffer_;
  std::unique_ptr<net::TlsStream> tls_;
};

// One request on a new connection.
Result<HttpResponse> Fetch(const std::string& host, uint16_t port, std::string_view method,
                           std::string_view target, const Headers& headers = {},
                           std::string_view body = "");

}  // namespace fourdollar::e2e
