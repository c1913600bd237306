#include "serve/blog_server.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string_view>

#include "base/cpus.h"
#include "base/metrics.h"
#include "base/process_stats.h"
#include "base/thread_name.h"
#include "blog/markdown.h"
#include "net/tcp.h"
#include "serve/https_redirect.h"
#include "serve/write_token.h"

namespace fourdollar::serve {

// Everything one loop thread owns.
struct BlogServer::Worker {
  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<http::Router> router;
  std::unique_ptr<blog::Site> site;
  std::unique_ptr<http::ServerMetrics> metrics;
  std::unique_ptr<http::HttpServer> server;
  std::unique_ptr<http::HttpServer> plain;  // with --listen-plain: redirects to HTTPS
  std::thread thread;
};

namespace {

tl::unexpected<Error> Prefixed(std::string_view setting, const Error& error) {
  return MakeError(error.code, std::string(setting) + ": " + error.message);
}

// The SQLite file's folder holds the generated token; other stores have no folder of ours.
std::optional<std::string> DataFolder(const std::string& db_url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (db_url.rfind(kSqlite, 0) != 0) return std::nullopt;
  std::filesystem::path file(db_url.substr(kSqlite.size()));
  std::filesystem::path folder = std::filesystem::absolute(file).lexically_normal().parent_path();
  return folder.string();
}

struct Writes {
  std::optional<std::string> token;  // std::nullopt: open writes
  std::string description;           // the ready line's WRITES
};

Result<Writes> ResolveWrites(const BlogServerConfig& config) {
  if (config.open_writes)
    return Writes{std::nullopt, "open writes: anyone can post (--open-writes)"};
  if (config.write_token) {
    return Writes{config.write_token, "write token from " + config.write_token_source};
  }
  std::optional<std::string> folder = DataFolder(config.db);
  if (!folder) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "--db " + config.db +
            " has no data folder for a generated write token: give --write-token or --open-writes");
  }
  std::string path = *folder + "/write-token";
  Result<std::string> loaded = LoadOrCreateTokenFile(path);
  if (!loaded) return tl::unexpected(loaded.error());
  return Writes{*loaded, "write token in " + path};
}

std::string ProcessMetrics() {
  std::string text;
  MetricsWriter out(text);
  if (Result<ProcessStats> stats = ReadProcessStats()) {
    out.Single("process_cpu_seconds_total", "counter", "User and system CPU time spent.",
               stats->cpu_seconds);
    out.Single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
               static_cast<double>(stats->resident_bytes));
    out.Single("process_start_time_seconds", "gauge", "Start time since the Unix epoch.",
               static_cast<double>(stats->start_unix_seconds));
    out.Single("process_threads", "gauge", "Threads in the process.",
               static_cast<double>(stats->threads));
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<BlogServer>> BlogServer::Start(const BlogServerConfig& config) {
  if (config.threads < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--threads: " + std::to_string(config.threads) + " is negative");
  }
  Result<net::Endpoint> endpoint = net::ParseEndpoint(config.listen);
  if (!endpoint) return Prefixed("--listen", endpoint.error());

  Result<Writes> writes = ResolveWrites(config);
  if (!writes) return tl::unexpected(writes.error());

  std::unique_ptr<BlogServer> server(new BlogServer());
  Result<blog::Templates> templates = blog::LoadTemplates(config.templates_dir);
  if (!templates) return Prefixed("--templates", templates.error());
  server->templates_ = std::move(*templates);

  Result<std::unique_ptr<store::Store>> opened = store::OpenStore(
      {.url = config.db,
       .read_timeout_ms = config.pg_read_timeout_ms,
       .render_html = [](std::string_view body) { return blog::RenderMarkdown(body); }});
  if (!opened) return Prefixed("--db", opened.error());
  server->store_ = std::move(*opened);

  const int thread_count = config.threads > 0 ? config.threads : AllowedCpuCount();
  net::ListenOptions listen_options{.reuse_port = thread_count > 1};
  std::vector<UniqueFd> listeners;
  net::Endpoint bound = *endpoint;
  for (int i = 0; i < thread_count; ++i) {
    // The first socket may have asked for port 0; the others join the port it got.
    Result<UniqueFd> listener = net::Listen(bound, listen_options);
    if (!listener) return Prefixed("--listen", listener.error());
    if (i == 0) {
      Result<net::Endpoint> local = net::LocalEndpoint(listener->get());
      if (!local) return tl::unexpected(local.error());
      bound = *local;
    }
    listeners.push_back(std::move(*listener));
  }

  std::shared_ptr<net::TlsContext> tls;
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--tls-cert and --tls-key: give both for HTTPS, or neither for plain HTTP");
  }
  if (!config.tls_cert.empty()) {
    server->tls_files_ = {.cert_file = config.tls_cert, .key_file = config.tls_key};
    server->tls_ktls_ = config.tls_ktls;
    Result<std::shared_ptr<net::TlsContext>> made = net::TlsContext::ForServer(server->tls_files_);
    if (!made) return Prefixed("--tls-cert/--tls-key", made.error());
    tls = std::move(*made);
    if (config.tls_ktls) tls->EnableKernelTls();
  }

  std::vector<UniqueFd> plain_listeners;
  if (!config.listen_plain.empty()) {
    if (!tls) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--listen-plain: redirects to HTTPS, so it needs --tls-cert and --tls-key");
    }
    Result<net::Endpoint> plain = net::ParseEndpoint(config.listen_plain);
    if (!plain) return Prefixed("--listen-plain", plain.error());
    for (int i = 0; i < thread_count; ++i) {
      Result<UniqueFd> listener = net::Listen(*plain, listen_options);
      if (!listener) return Prefixed("--listen-plain", listener.error());
      if (i == 0) {
        Result<net::Endpoint> local = net::LocalEndpoint(listener->get());
        if (!local) return tl::unexpected(local.error());
        *plain = *local;
        server->plain_address_ = local->ToString();
      }
      plain_listeners.push_back(std::move(*listener));
    }
    server->redirect_route_ = HttpsRedirectRoute(bound.port());
  }

  http::ServerLimits limits = config.limits;
  limits.max_handshakes = std::max<size_t>(1, config.limits.max_handshakes / thread_count);
  limits.max_connections = std::max<size_t>(1, config.limits.max_connections / thread_count);
  const size_t cache_bytes = (config.cache_mb << 20) / static_cast<size_t>(thread_count);
  const BlogServer* self = server.get();
  for (int i = 0; i < thread_count; ++i) {
    auto worker = std::make_unique<Worker>();
    Result<std::unique_ptr<net::EventLoop>> loop = net::EventLoop::Create(config.io_backend);
    if (!loop) return tl::unexpected(loop.error());
    worker->loop = std::move(*loop);
    Result<std::unique_ptr<store::StoreSession>> session =
        server->store_->OpenSession(*worker->loop);
    if (!session) return Prefixed("--db", session.error());
    worker->router = std::make_unique<http::Router>(writes->token);
    worker->site = std::make_unique<blog::Site>(
        blog::SiteOptions{.cache_bytes = cache_bytes,
                          .writes_need_token = writes->token.has_value()},
        server->templates_, *server->store_, std::move(*session),
        [self] { return self->MetricsText(); });
    worker->site->AddRoutes(*worker->router);
    server->all_sites_.push_back(worker->site.get());
    if (i == 0) {
      for (const http::Route& route : worker->router->routes()) {
        server->route_names_.push_back(route.name);
      }
    }
    worker->metrics = std::make_unique<http::ServerMetrics>(worker->router->routes().size());
    server->all_metrics_.push_back(worker->metrics.get());
    worker->server = std::make_unique<http::HttpServer>(*worker->loop, std::move(listeners[i]),
                                                        *worker->router, limits, *worker->metrics);
    worker->server->SetTls(tls);
    if (config.hsts) worker->server->SetHsts("max-age=31536000");
    if (Status started = worker->server->Start(); !started) return tl::unexpected(started.error());
    if (!plain_listeners.empty()) {
      worker->plain = std::make_unique<http::HttpServer>(
          *worker->loop, std::move(plain_listeners[i]), *worker->router, limits, *worker->metrics);
      worker->plain->RouteEverythingTo(&server->redirect_route_);
      if (Status started = worker->plain->Start(); !started) {
        return tl::unexpected(started.error());
      }
    }
    server->workers_.push_back(std::move(worker));
  }
  // Before the loops start: MetricsText reads it from their threads.
  server->io_backend_ = config.io_backend;
  for (size_t i = 0; i < server->workers_.size(); ++i) {
    server->workers_[i]->thread = std::thread([loop = server->workers_[i]->loop.get(), i] {
      NameThisThread("serve-loop-" + std::to_string(i));
      loop->Run();
    });
  }
  server->state_ = State::kRunning;

  const std::string address = bound.ToString();
  const size_t colon = address.rfind(':');
  server->ready_ = ReadyLine{.host = address.substr(0, colon),
                             .port = bound.port(),
                             .store = server->store_->Describe(),
                             .threads = thread_count,
                             .writes = writes->description,
                             .tls = tls != nullptr};
  return server;
}

Result<std::string> BlogServer::ReloadTls() {
  if (tls_files_.cert_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no certificate to reload: serving plain HTTP");
  }
  Result<std::shared_ptr<net::TlsContext>> made = net::TlsContext::ForServer(tls_files_);
  if (!made) return tl::unexpected(made.error());
  if (tls_ktls_) (*made)->EnableKernelTls();
  std::shared_ptr<const net::TlsContext> context = std::move(*made);
  // Returns once every loop took it, so a connection made after the reload gets the new one.
  std::mutex mutex;
  std::condition_variable cv;
  size_t swapped = 0;
  for (auto& worker : workers_) {
    http::HttpServer* http_server = worker->server.get();
    worker->loop->Post([http_server, context, &mutex, &cv, &swapped] {
      http_server->SetTls(context);
      std::lock_guard lock(mutex);
      ++swapped;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return swapped == workers_.size(); });
  return context->description();
}

BlogServer::~BlogServer() {
  if (state_ == State::kRunning) (void)Drain();
}

// Read from any loop thread; everything it touches is atomic or immutable after Start.
std::string BlogServer::MetricsText() const {
  std::string text;
  MetricsWriter out(text);
  http::WriteServerMetrics(all_metrics_, route_names_, out);
  out.Family("fourdollar_io_backend", "gauge",
             "What the event loops wait with (--io-backend, after any fallback to epoll).");
  out.Sample("fourdollar_io_backend",
             "backend=\"" + std::string(net::IoBackendName(io_backend_)) + "\"", 1);
  store_->WriteMetrics(out);
  std::vector<blog::CacheStats> caches;
  for (const blog::Site* site : all_sites_) caches.push_back(site->cache_stats());
  blog::WriteCacheMetrics(caches, out);
  text += ProcessMetrics();
  return text;
}

Status BlogServer::Drain(int timeout_ms) {
  if (state_ != State::kRunning) return {};
  state_ = State::kDrained;
  // Stop accepting, let requests in flight finish (their writes commit), then stop the loops.
  std::mutex mutex;
  std::condition_variable cv;
  size_t drained = 0;
  for (auto& worker : workers_) {
    http::HttpServer* http_server = worker->server.get();
    http::HttpServer* plain = worker->plain.get();
    worker->loop->Post([http_server, plain, &mutex, &cv, &drained] {
      // Redirects are answered at once; the loop's stop ends whatever is left of them.
      if (plain != nullptr) plain->Drain([] {});
      http_server->Drain([&mutex, &cv, &drained] {
        std::lock_guard lock(mutex);
        ++drained;
        cv.notify_all();
      });
    });
  }
  size_t drained_in_time = 0;
  {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                [&] { return drained == workers_.size(); });
    drained_in_time = drained;
  }
  for (auto& worker : workers_) worker->loop->Stop();
  for (auto& worker : workers_) worker->thread.join();
  store_->Shutdown();
  workers_.clear();
  if (drained_in_time < all_metrics_.size()) {
    return MakeError(ErrorCode::kUnavailable,
                     std::to_string(all_metrics_.size() - drained_in_time) + " of " +
                         std::to_string(all_metrics_.size()) +
                         " loops still had requests in flight after " + std::to_string(timeout_ms) +
                         " ms; stopped anyway");
  }
  return {};
}

}  // namespace fourdollar::serve
