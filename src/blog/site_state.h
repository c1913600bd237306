// The inside of a Site: what its handlers share on one loop thread (the renderer, the session,
// the cache). Included only by the site's .cc files.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "blog/fresh_posts.h"
#include "blog/page_cache.h"
#include "blog/pages.h"
#include "blog/site.h"
#include "http/router.h"
#include "store/store.h"

namespace fourdollar::blog {

// A store failure as the client should see it; internals stay out of the body. kNotFound,
// kGone and kFailedPrecondition (a refused edit or delete) give 404, 410 and 412 with the
// store's message.
http::Response StoreErrorResponse(const Error& error);

// The answer when the site is gone before a store callback came back.
http::Response ShuttingDownResponse();

// Client text echoed in an error, cut short and limited to printable ASCII.
std::string Echo(std::string_view text);

struct Site::State : std::enable_shared_from_this<Site::State> {
  State(const Templates& templates, store::Store& store_ref,
        std::unique_ptr<store::StoreSession> session_ptr, size_t cache_bytes,
        std::function<std::string()> metrics)
      : pages(templates),
        store(store_ref),
        session(std::move(session_ptr)),
        cache(cache_bytes),
        metrics_text(std::move(metrics)),
        not_found(MakePage(404, pages.NotFound(), 0)),
        style(MakeStylePage()) {}

  static PagePtr MakeStylePage();

  // Reads (site_reads.cc).
  void List(const http::Request& request, http::Reply reply);
  void Post(const http::Request& request, std::string_view param, http::Reply reply);
  void Feed(const http::Request& request, http::Reply reply);
  // The `limit` newest posts (or all there are, or more) as of `generation`: the store's copy
  // when it knows them (carried forward through its commits), else a query whose answer is
  // offered back to it. `done` runs on this thread.
  void Newest(uint64_t generation, size_t limit,
              std::function<void(Result<std::shared_ptr<const store::PostList>>)> done);
  // The page of post `id` (its HTML page, or its Markdown source) from the cache or the store:
  // nullptr when no post ever had that id, a 410 page when it was deleted. `done` runs on this
  // thread.
  enum class PostFormat { kHtml, kMarkdown };
  void LoadPostPage(int64_t id, PostFormat format, std::function<void(Result<PagePtr>)> done);
  // The page of `post` (as stored) in `format`: its page, its Markdown source, or 410 once deleted.
  PagePtr PostPage(const store::Post& post, PostFormat format);
  // Drops the cached pages of the posts edited or deleted since the cache last followed the
  // store's edits (all post pages when the store cannot say which): one atomic load when none.
  void FollowEdits();
  // Whether a page of post `id` read from the store after edit generation `since` is still
  // current: no edit or delete of that post committed since.
  bool UnchangedSince(int64_t id, uint64_t since) const;

  // Writes (site_writes.cc).
  void Create(const http::Request& request, http::Reply reply);
  void Update(const http::Request& request, std::string_view param, http::Reply reply);
  void Delete(std::string_view param, http::Reply reply);

  PageRenderer pages;
  store::Store& store;
  std::unique_ptr<store::StoreSession> session;
  PageCache cache;
  FreshPosts fresh_posts;       // posts stored through this thread, until their page is first made
  uint64_t followed_edits = 0;  // the store's edit generation the post pages are current to
  std::function<std::string()> metrics_text;
  const PagePtr not_found;
  const PagePtr style;  // /style.css
};

}  // namespace fourdollar::blog
