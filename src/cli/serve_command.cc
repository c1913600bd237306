#include "cli/serve_command.h"

#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/process_stats.h"
#include "blog/site.h"
#include "blog/templates.h"
#include "cli/write_token.h"
#include "net/event_loop.h"
#include "net/tcp.h"
#include "store/store.h"

namespace fourdollar::cli {

namespace {

constexpr auto kDrainTimeout = std::chrono::milliseconds(4000);

// Everything one loop thread owns.
struct Worker {
  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<http::Router> router;
  std::unique_ptr<blog::Site> site;
  std::unique_ptr<http::ServerMetrics> metrics;
  std::unique_ptr<http::HttpServer> server;
  std::thread thread;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "fourdollar: %s\n", message.c_str());
  return 2;
}

// The SQLite file's folder holds the generated token; other stores have no folder of ours.
std::optional<std::string> DataFolder(const std::string& db_url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (db_url.rfind(kSqlite, 0) != 0) return std::nullopt;
  std::filesystem::path file(db_url.substr(kSqlite.size()));
  std::filesystem::path folder = std::filesystem::absolute(file).lexically_normal().parent_path();
  return folder.string();
}

std::string ProcessMetrics() {
  std::string text;
  MetricsWriter out(text);
  if (Result<ProcessStats> stats = ReadProcessStats()) {
    out.Family("process_cpu_seconds_total", "counter", "User and system CPU time spent.");
    out.Sample("process_cpu_seconds_total", "", stats->cpu_seconds);
    out.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.Sample("process_resident_memory_bytes", "", static_cast<double>(stats->resident_bytes));
    out.Family("process_start_time_seconds", "gauge", "Start time since the Unix epoch.");
    out.Sample("process_start_time_seconds", "", static_cast<double>(stats->start_unix_seconds));
    out.Family("process_threads", "gauge", "Threads in the process.");
    out.Sample("process_threads", "", static_cast<double>(stats->threads));
  }
  return text;
}

}  // namespace

int RunServe(const ServeConfig& config) {
  // Signals are taken by sigwait below; every thread started from here on inherits the mask.
  net::BlockSignals({SIGTERM, SIGINT});
  ::signal(SIGPIPE, SIG_IGN);
  const uint64_t file_limit = RaiseOpenFileLimit();
  ReturnLargeBlocksAtOnce(256 << 10);

  Result<net::Endpoint> endpoint = net::ParseEndpoint(config.listen);
  if (!endpoint) return Fail("--listen: " + endpoint.error().message);

  std::optional<std::string> token = config.write_token;
  std::string writes;
  if (config.open_writes) {
    token.reset();
    writes = "open writes: anyone can post (--open-writes)";
  } else if (token) {
    writes = "write token from " + config.write_token_source;
  } else {
    std::optional<std::string> folder = DataFolder(config.db);
    if (!folder)
      return Fail(
          "--db " + config.db +
          " has no data folder for a generated write token: give --write-token or --open-writes");
    std::string path = *folder + "/write-token";
    Result<std::string> loaded = LoadOrCreateTokenFile(path);
    if (!loaded) return Fail(loaded.error().message);
    token = *loaded;
    writes = "write token in " + path;
  }

  Result<blog::Templates> templates = blog::LoadTemplates(config.templates_dir);
  if (!templates) return Fail("--templates: " + templates.error().message);

  Result<std::unique_ptr<store::Store>> opened = store::OpenStore({.url = config.db});
  if (!opened) return Fail("--db: " + opened.error().message);
  std::unique_ptr<store::Store> store = std::move(*opened);

  const int thread_count = config.threads > 0 ? config.threads : AllowedCpuCount();
  net::ListenOptions listen_options{.reuse_port = thread_count > 1};
  std::vector<UniqueFd> listeners;
  net::Endpoint bound = *endpoint;
  for (int i = 0; i < thread_count; ++i) {
    // The first socket may have asked for port 0; the others join the port it got.
    Result<UniqueFd> listener = net::Listen(bound, listen_options);
    if (!listener) return Fail("--listen: " + listener.error().message);
    if (i == 0) {
      Result<net::Endpoint> local = net::LocalEndpoint(listener->get());
      if (!local) return Fail(local.error().message);
      bound = *local;
    }
    listeners.push_back(std::move(*listener));
  }

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<const http::ServerMetrics*> all_metrics;
  std::vector<const blog::Site*> all_sites;
  std::vector<std::string> route_names;
  const store::Store* store_view = store.get();
  // Read from any loop thread; everything it touches is atomic or immutable after start.
  auto metrics_text = [&all_metrics, &all_sites, &route_names, store_view] {
    std::string text;
    MetricsWriter out(text);
    http::WriteServerMetrics(all_metrics, route_names, out);
    store_view->WriteMetrics(out);
    std::vector<blog::CacheStats> caches;
    for (const blog::Site* site : all_sites) caches.push_back(site->cache_stats());
    blog::WriteCacheMetrics(caches, out);
    text += ProcessMetrics();
    return text;
  };
  http::ServerLimits limits = config.limits;
  if (file_limit > 0 && file_limit < config.limits.max_connections + 64) {
    std::fprintf(
        stderr,
        "fourdollar: warning: the open-file limit (%llu) is below --max-connections (%zu); "
        "connections beyond it are refused by the kernel\n",
        static_cast<unsigned long long>(file_limit), config.limits.max_connections);
  }
  limits.max_connections = std::max<size_t>(1, config.limits.max_connections / thread_count);
  const size_t cache_bytes = (config.cache_mb << 20) / static_cast<size_t>(thread_count);
  for (int i = 0; i < thread_count; ++i) {
    auto worker = std::make_unique<Worker>();
    Result<std::unique_ptr<net::EventLoop>> loop = net::EventLoop::Create();
    if (!loop) return Fail(loop.error().message);
    worker->loop = std::move(*loop);
    Result<std::unique_ptr<store::StoreSession>> session = store->OpenSession(*worker->loop);
    if (!session) return Fail("--db: " + session.error().message);
    worker->router = std::make_unique<http::Router>(token);
    worker->site = std::make_unique<blog::Site>(
        blog::SiteOptions{.cache_bytes = cache_bytes, .writes_need_token = token.has_value()},
        *templates, *store, std::move(*session), metrics_text);
    worker->site->AddRoutes(*worker->router);
    all_sites.push_back(worker->site.get());
    if (i == 0) {
      for (const http::Route& route : worker->router->routes()) route_names.push_back(route.name);
    }
    worker->metrics = std::make_unique<http::ServerMetrics>(worker->router->routes().size());
    all_metrics.push_back(worker->metrics.get());
    worker->server = std::make_unique<http::HttpServer>(*worker->loop, std::move(listeners[i]),
                                                        *worker->router, limits, *worker->metrics);
    if (Status s = worker->server->Start(); !s) return Fail(s.error().message);
    workers.push_back(std::move(worker));
  }
  for (auto& worker : workers) {
    worker->thread = std::thread([loop = worker->loop.get()] { loop->Run(); });
  }

  std::fprintf(stderr, "fourdollar: listening on http://%s | store %s | threads %d | %s\n",
               bound.ToString().c_str(), store->Describe().c_str(), thread_count, writes.c_str());
  std::fflush(stderr);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signo = 0;
  sigwait(&signals, &signo);

  // Stop accepting, let requests in flight finish (their writes commit), then stop the loops.
  std::mutex mutex;
  std::condition_variable cv;
  size_t drained = 0;
  for (auto& worker : workers) {
    http::HttpServer* server = worker->server.get();
    worker->loop->Post([server, &mutex, &cv, &drained] {
      server->Drain([&mutex, &cv, &drained] {
        std::lock_guard lock(mutex);
        ++drained;
        cv.notify_all();
      });
    });
  }
  {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, kDrainTimeout, [&] { return drained == workers.size(); });
  }
  for (auto& worker : workers) worker->loop->Stop();
  for (auto& worker : workers) worker->thread.join();
  store->Shutdown();
  workers.clear();
  return 0;
}

}  // namespace fourdollar::cli
