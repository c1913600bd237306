// The blog server: N event-loop threads, each with its own listening socket (SO_REUSEPORT on one
// port), router, page cache and store session, over one store (whose writer is shared), with the
// metrics of all of them on /metrics. `fourdollar serve` and the HTTP fuzzer run this one
// assembly.
//
// Start binds, opens the store and starts the loop threads; the caller then waits for whatever
// ends its run (a signal, a test's input) and calls Drain. Signals are not this class's concern:
// a caller that takes them with sigwait blocks them before Start, since the loop threads inherit
// the calling thread's mask.
//
// Thread-safety: Start, ready and Drain are called from one thread (not a loop thread).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "blog/site.h"
#include "blog/templates.h"
#include "http/router.h"
#include "http/server.h"
#include "http/server_metrics.h"
#include "net/event_loop.h"
#include "net/tls_context.h"
#include "serve/ready_line.h"
#include "store/store.h"

namespace fourdollar::serve {

// Built once from flags and environment, then read-only.
struct BlogServerConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 takes a free port
  std::string db = "sqlite:./data/blog.db";
  int threads = 0;            // event-loop threads; 0: as many as the CPUs this process may use
  std::string templates_dir;  // empty: the built-in templates
  std::optional<std::string> write_token;
  std::string write_token_source;  // "--write-token" or "FOURDOLLAR_WRITE_TOKEN"
  // Anyone may post. Without it and without write_token, the token is read from (or generated
  // in) the SQLite file's folder.
  bool open_writes = false;
  size_t cache_mb = 16;  // page cache, shared out evenly between the loops
  int64_t pg_read_timeout_ms = store::StoreOptions{}.read_timeout_ms;
  http::ServerLimits limits;  // max_connections counts for the whole server
  // HTTPS: both set, or neither (plain HTTP). PEM files; the certificate may hold the chain.
  std::string tls_cert;
  std::string tls_key;
  bool tls_ktls = false;  // ask for kernel TLS (SSL_OP_ENABLE_KTLS)
  // With TLS: HOST:PORT of a plain-HTTP listener answering every request with a redirect to
  // the same path over HTTPS; empty: none.
  std::string listen_plain;
  bool hsts = false;  // Strict-Transport-Security on every HTTPS response (one year)
  // What the loops wait with, already chosen (net::ChooseIoBackend); shown in /metrics.
  net::IoBackend io_backend = net::IoBackend::kEpoll;
};

class BlogServer {
 public:
  // Opens the store, loads the templates, binds every listener and starts the loop threads.
  // Errors name the setting at fault ("--db: ...", "--listen: ...").
  static Result<std::unique_ptr<BlogServer>> Start(const BlogServerConfig& config);

  ~BlogServer();  // drains if Drain was not called
  BlogServer(const BlogServer&) = delete;
  BlogServer& operator=(const BlogServer&) = delete;

  // What the server announces: its address (the port it got), store, threads and writes.
  const ReadyLine& ready() const { return ready_; }
  // The plain-HTTP listener's address ("127.0.0.1:8080") with --listen-plain, else "".
  const std::string& plain_address() const { return plain_address_; }

  // Stops accepting, lets the requests in flight finish (their writes commit) for up to
  // timeout_ms, then stops the loops and shuts the store down. An error says that some loops
  // still had requests when the time was up (they were stopped anyway). Idempotent.
  [[nodiscard]] Status Drain(int timeout_ms = 4000);

  // Reads the certificate and key files again; connections accepted afterwards get them, open
  // ones keep theirs. On error (a missing or broken file) the old certificate stays in use and
  // the error says why. Returns the new certificate's description. Not on a loop thread.
  Result<std::string> ReloadTls();

 private:
  struct Worker;
  enum class State { kStarting, kRunning, kDrained };

  BlogServer() = default;
  std::string MetricsText() const;

  State state_ = State::kStarting;
  std::unique_ptr<store::Store> store_;
  blog::Templates templates_;
  std::vector<std::unique_ptr<Worker>> workers_;
  // Read by /metrics from any loop thread; fixed before the loops start.
  std::vector<const http::ServerMetrics*> all_metrics_;
  std::vector<const blog::Site*> all_sites_;
  std::vector<std::string> route_names_;
  ReadyLine ready_;
  net::TlsServerFiles tls_files_;  // empty without TLS
  std::string plain_address_;
  net::IoBackend io_backend_ = net::IoBackend::kEpoll;
  http::Route redirect_route_;  // the plain listener's one route
  bool tls_ktls_ = false;
};

}  // namespace fourdollar::serve
