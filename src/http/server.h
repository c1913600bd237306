// The HTTP/1.1 server of one loop thread: accepts on its own listening socket, reads, parses,
// routes, runs handlers and writes responses in order. Keep-alive and pipelining; every read is
// bounded in size and time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/unique_fd.h"
#include "http/router.h"
#include "http/serializer.h"
#include "http/server_metrics.h"
#include "net/event_loop.h"
#include "net/tls_context.h"

namespace fourdollar::http {

struct ServerLimits {
  size_t header_limit_bytes = 8192;      // 431 beyond
  int64_t request_timeout_ms = 10000;    // from a request's first byte to its last; 408 and close
  int64_t idle_timeout_ms = 60000;       // keep-alive connection with no request: closed
  size_t max_connections = 10000;        // this thread's share; more wait in the listen backlog
  size_t max_output_bytes = 4 << 20;     // unsent response bytes; reading pauses beyond
  int64_t handshake_timeout_ms = 10000;  // TLS: from acceptance to the handshake's end
  size_t max_handshakes = 1000;          // TLS handshakes in progress, this thread's share
};

class ServerConnection;
class IdleConnections;

inline constexpr size_t kReadChunkBytes = 16 * 1024;

// One per loop thread. Not thread-safe: every call is made on the loop's thread.
class HttpServer final : public net::IoHandler {
 public:
  // `router` and `metrics` must outlive the server. `listener` is a listening socket.
  HttpServer(net::EventLoop& loop, UniqueFd listener, const Router& router, ServerLimits limits,
             ServerMetrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status Start();

  // Serves TLS with `context` on the connections accepted from now on (null: plain HTTP again);
  // open connections keep the context they started with. Called before Start, or on the loop
  // thread to swap in a reloaded certificate.
  void SetTls(std::shared_ptr<const net::TlsContext> context) { tls_ = std::move(context); }
  // Every request goes to `route` (kept by the caller), whatever its method and path: the
  // plain-HTTP listener that redirects to HTTPS. Called before Start.
  void RouteEverythingTo(const Route* route) { catch_all_ = route; }
  // Adds Strict-Transport-Security with this value to every response sent over TLS (empty:
  // none). Called before Start.
  void SetHsts(std::string value) { hsts_ = std::move(value); }

  // Stops accepting, closes idle connections, lets the others finish the requests they have
  // sent (each response then closes its connection), and calls `drained` once none is left.
  void Drain(std::function<void()> drained);

  size_t connection_count() const { return connections_.size(); }

  void OnIo(uint32_t events) override;

 private:
  friend class ServerConnection;

  void Accept();
  // At the limit: closes the connection idle longest if it has been idle long enough; false if
  // none may go.
  bool EvictIdle();
  // Leaves new connections in the listen backlog until a connection closes or an idle one may
  // be evicted.
  void PauseAccepting();
  // Accepts on the next turn of the loop.
  void PostAccept();
  void Close(uint32_t id);
  void Complete(uint64_t token, Response response);
  // Many connections were freed: asks the allocator to give their memory back to the system.
  void ScheduleTrim();

  net::EventLoop& loop_;
  UniqueFd listener_;
  const Router& router_;
  const ServerLimits limits_;
  ServerMetrics& metrics_;
  DateCache date_;
  std::array<char, kReadChunkBytes> read_buffer_;  // every connection reads here first
  uint32_t next_id_ = 0;
  std::unordered_map<uint32_t, std::unique_ptr<ServerConnection>> connections_;
  // Closed connections are freed after the current batch of events, which may still name them.
  std::vector<std::unique_ptr<ServerConnection>> closed_;
  // Declared after the connections, whose destructors unlink themselves from it.
  std::unique_ptr<IdleConnections> idle_;
  size_t closed_since_trim_ = 0;  // connections closed since memory was last trimmed
  net::TimerId trim_timer_;
  bool accept_paused_ = false;  // at the limit: the backlog waits for a free slot
  net::TimerId resume_timer_;   // while paused: when the idle connection may be evicted
  int64_t last_trim_ns_ = 0;
  std::shared_ptr<const net::TlsContext> tls_;
  size_t handshakes_in_progress_ = 0;
  const Route* catch_all_ = nullptr;
  std::string hsts_;
  bool draining_ = false;
  bool accept_posted_ = false;
  std::function<void()> drained_;
};

}  // namespace fourdollar::http
