// The blog's HTTP handlers and routes: pages from the store, rendered through the templates and
// kept in a per-thread cache.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "blog/page_cache.h"
#include "blog/templates.h"
#include "http/router.h"
#include "store/store.h"

namespace fourdollar::blog {

inline constexpr int kPostsPerPage = 10;
inline constexpr size_t kCreateBodyLimitBytes = 1u << 20;  // a 100000-byte body, escaped, fits

struct SiteOptions {
  size_t cache_bytes = 32u << 20;  // this thread's share of --cache-mb
  bool writes_need_token = true;   // sets the write routes' requires_write_token
};

// One per event-loop thread. Not thread-safe: handlers run on that thread, and the session's
// callbacks come back to it. It must outlive the routes it added; a store callback arriving after
// it is gone answers 503. `store` must outlive it; `metrics_text` is called on this thread for
// GET /metrics.
//
// Routes (AddRoutes); HEAD answers every GET route:
//   GET /           "list"    10 newest titles; ?before=N for the 10 below id N; 400 on a bad N
//   GET /{id}       "post"    one post; 404 page for unknown or malformed ids, 410 for deleted
//   ones;
//                             ?format=markdown: its Markdown source (text/markdown); 400 for
//                             another format
//   POST /          "create"  JSON {title, body} -> 303 to / (Content-Location: /{id}) once stored
//                             durably; 400 naming the broken rule; 503 (Retry-After: 1) when the
//                             store is busy, 507 when it is out of space, 500 otherwise
//   PUT /{id}       "update"  JSON {title, body} -> 303 to /{id} once stored durably; If-Match
//                             with the page's ETag, 412 when it is not current; 404, 410
//   DELETE /{id}    "delete"  204 once durable; 404 for ids never used, 410 when deleted already
//   GET /feed.xml   "feed"    Atom feed of the 20 newest posts
//   GET /style.css  "style"   the stylesheet, from memory (Cache-Control: public, max-age=86400)
// Pages carry a strong ETag, Last-Modified and Cache-Control: no-cache; If-None-Match and
// If-Modified-Since give 304.
//   GET /healthz    "healthz" "ok"
//   GET /metrics    "metrics" Prometheus text from metrics_text()
class Site {
 public:
  Site(SiteOptions options, const Templates& templates, store::Store& store,
       std::unique_ptr<store::StoreSession> session, std::function<std::string()> metrics_text);
  ~Site();
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  void AddRoutes(http::Router& router);

  // This thread's cache figures; callable from any thread (see WriteCacheMetrics).
  CacheStats cache_stats() const;

 private:
  struct State;  // shared with store callbacks still in flight, which hold it weakly
  SiteOptions options_;
  std::shared_ptr<State> state_;
};

}  // namespace fourdollar::blog
