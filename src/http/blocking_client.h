// A blocking HTTP/1.1 client (plain, or HTTPS after StartTls) for the few requests made beside the
// event loop (a server's /metrics read once a second, the posts bench stores before measuring): one
// connection, one request at a time, every step bounded by a deadline and every response by a size
// limit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "http/response_parser.h"
#include "net/tcp.h"
#include "net/tls_stream.h"

namespace fourdollar::http {

// Deadlines are on the monotonic clock (MonotonicNowNs). Owns its socket; movable, not
// copyable; not thread-safe (one per thread).
class BlockingConnection {
 public:
  static constexpr uint64_t kDefaultBodyLimitBytes = 16u << 20;

  // Connects to `endpoint`; kUnavailable when it is refused or not made by deadline_ns.
  static Result<BlockingConnection> Connect(const net::Endpoint& endpoint, int64_t deadline_ns,
                                            uint64_t body_limit_bytes = kDefaultBodyLimitBytes);

  // Makes the connection an HTTPS one: a TLS handshake with `server_name` (SNI, and the name
  // the certificate must hold when `context` verifies) by deadline_ns, before any exchange.
  // An error naming the reason when the handshake fails or times out.
  Status StartTls(std::shared_ptr<const net::TlsContext> context, const std::string& server_name,
                  int64_t deadline_ns);

  // Sends `request` (a whole HTTP/1.1 request, head and body) and reads one response, both by
  // deadline_ns. An error when the send fails, the response is unparsable or over the body
  // limit, the peer closes before it is complete, or the deadline passes. After a response
  // that is not keep_alive the connection is spent.
  Result<ClientResponse> Exchange(std::string_view request, int64_t deadline_ns);

 private:
  BlockingConnection(UniqueFd fd, uint64_t body_limit_bytes);
  // Waits until the socket is ready for `events` or the deadline passes.
  bool WaitFor(short events, int64_t deadline_ns) const;
  Status SendAll(std::string_view data, int64_t deadline_ns);
  Result<ClientResponse> Receive(int64_t deadline_ns);
  // One read or write on the socket or through TLS. With TLS, kWouldBlock from a read waits
  // for the socket to be readable and from a write for it to be writable: a blocking client
  // neither renegotiates nor writes while it reads.
  net::IoResult ReadSome(char* buffer, size_t size);
  net::IoResult WriteSome(std::string_view data);

  UniqueFd fd_;
  std::unique_ptr<ResponseParser> parser_;
  std::string pending_;                  // bytes read past the last response
  std::unique_ptr<net::TlsStream> tls_;  // set by StartTls
};

}  // namespace fourdollar::http
