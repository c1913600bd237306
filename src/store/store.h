// The store of blog posts: the interface that the SQLite and PostgreSQL stores implement.
//
// Threading: a Store is shared by all event-loop threads and is thread-safe. Each loop thread
// opens its own StoreSession, which is used only on that thread; every callback a session takes
// runs on that loop thread (through its Executor), possibly before the call returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/executor.h"
#include "base/metrics.h"
#include "base/result.h"
#include "store/edit_log.h"

namespace fourdollar::store {

struct Post {
  int64_t id = 0;
  int64_t created_unix_ms = 0;  // UTC, assigned by the store when the post is committed
  std::string title;
  std::string body;  // Markdown source
  // The body rendered to HTML when it was written; nullopt for a row of an older schema that
  // was migrated without a renderer (StoreOptions::render_html unset): the reader renders it.
  std::optional<std::string> body_html;
  int64_t updated_unix_ms = 0;  // UTC, of the last committed edit; 0 when never edited
  int64_t revision = 1;         // 1 when created, one more at each edit
  bool deleted = false;         // a tombstone: the id is kept (never reused), title and body ""
};

struct PostSummary {
  int64_t id = 0;
  int64_t created_unix_ms = 0;
  std::string title;
  int64_t updated_unix_ms = 0;  // 0 when never edited
};

struct NewPost {
  std::string title;
  std::string body;       // Markdown source
  std::string body_html;  // `body` rendered, before the write is queued: stored beside it
};

// One change for the single writer: a new post, an edit of post `id`, or its deletion.
struct WriteRequest {
  enum class Kind { kInsert, kUpdate, kDelete };
  Kind kind = Kind::kInsert;
  int64_t id = 0;                            // kUpdate, kDelete
  std::optional<int64_t> expected_revision;  // kUpdate: refused unless the post is at it
  NewPost post;                              // kInsert, kUpdate
};

// Newest first: a larger id is always a newer post (ids and timestamps are assigned together,
// in commit order, and timestamps never go backwards).
using PostList = std::vector<PostSummary>;

class StoreSession {
 public:
  virtual ~StoreSession() = default;

  // The `limit` newest posts, or the `limit` newest with an id below `before_id`.
  virtual void Latest(std::optional<int64_t> before_id, int limit,
                      std::function<void(Result<PostList>)> done) = 0;

  // One post; std::nullopt when no post ever had that id; a tombstone (deleted) when it was
  // deleted. Latest never lists deleted posts.
  virtual void Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) = 0;

  // Stores the post durably (committed and synced) and only then calls `done` with the stored
  // post (id and timestamp filled in). Errors: kUnavailable when the write queue is full or the
  // store is shutting down, kResourceExhausted when the disk is full, kIo otherwise.
  virtual void Insert(NewPost post, std::function<void(Result<Post>)> done) = 0;

  // Replaces post `id`'s title and body, keeping its id and creation time, stamping `updated`
  // and bumping its revision; durable before `done` gets the stored post. Errors as Insert's,
  // and: kNotFound (no such id), kGone (deleted), kFailedPrecondition (`expected_revision` set
  // and the post is at another revision). A refused edit changes nothing.
  virtual void Update(int64_t id, NewPost post, std::optional<int64_t> expected_revision,
                      std::function<void(Result<Post>)> done) = 0;

  // Deletes post `id` for good (its id stays taken): durable before `done` gets the tombstone.
  // Errors as Insert's, and kNotFound, kGone (deleted already).
  virtual void Delete(int64_t id, std::function<void(Result<Post>)> done) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // A session for the calling loop thread; callbacks are run through `loop`.
  virtual Result<std::unique_ptr<StoreSession>> OpenSession(Executor& loop) = 0;

  // A number that changes whenever committed content changes (a post was added, edited or deleted,
  // here or, for a shared database, by another instance). Cheap: one atomic load. It is bumped
  // after a commit and before any Insert of that commit completes, so a cache tagged with the
  // generation it was built at is never served stale after a write was acknowledged.
  virtual uint64_t Generation() const = 0;

  // When committed content last changed, as far as this instance knows (Unix milliseconds): the
  // newest post's creation, edit or deletion time here, when a notification of another
  // instance's commit came, and at least the time the store was opened. Never decreases; read
  // after Generation(), it covers that generation's changes. The same on every loop thread, so
  // a page of many posts (the list, the feed) takes it as its Last-Modified.
  virtual int64_t ChangedUnixMs() const = 0;

  // The newest posts as of `generation` (newest first) when this instance knows them without a
  // query: at least `limit` of them, or all there are. nullptr when not known; the caller then
  // runs Latest(std::nullopt, limit) and offers its answer back with OfferNewest. Known after
  // such an offer and carried forward by this instance's own commits; another instance's commit
  // forgets them until the next offer.
  virtual std::shared_ptr<const PostList> Newest(uint64_t generation, size_t limit) const = 0;
  // What Latest(std::nullopt, limit) answered, run after Generation() read `generation`.
  virtual void OfferNewest(uint64_t generation, size_t limit,
                           std::shared_ptr<const PostList> posts) = 0;
  // Like Generation, but changes only when a stored post changes (edited or deleted), so that
  // a page of one post is rendered again only then, not after every new post.
  virtual uint64_t EditGeneration() const = 0;

  // The posts edited or deleted after edit generation `since` (nullopt ids: any post may have,
  // e.g. a notification from another instance was missed or `since` is too old). A cache drops
  // the pages of those posts only. Takes a lock: call it once per change of EditGeneration.
  virtual EditLog::Changes EditedSince(uint64_t since) const = 0;

  // Appends the store's figures (posts stored, write-batch sizes, queue depth...).
  virtual void WriteMetrics(MetricsWriter& out) const = 0;

  // Stops taking writes, commits everything queued, completes every pending Insert and returns.
  // Sessions may still read afterwards. Idempotent.
  virtual void Shutdown() = 0;

  // For the start-up line: "sqlite:/abs/path/blog.db", passwords elided.
  virtual std::string Describe() const = 0;
};

// Renders a post's Markdown body to its HTML. Pure; thread-safe.
using RenderHtml = std::function<std::string(std::string_view)>;

struct StoreOptions {
  std::string url;                   // "sqlite:PATH" (PATH may be relative)
  size_t max_queued_writes = 16384;  // beyond it Insert fails with kUnavailable
  size_t max_batch = 1024;           // posts per write transaction at most
  // PostgreSQL: a read not answered within this long after it was queued fails with
  // kUnavailable (503), so a database that hangs stalls no visitor for longer.
  int64_t read_timeout_ms = 250;
  // Renders a Markdown body to HTML, for the posts of a database made before the HTML was
  // stored: the migration fills their HTML on open. Unset: such rows keep no HTML (their
  // body_html reads as nullopt).
  RenderHtml render_html;
};

// Opens (creating and migrating if needed) the store named by options.url.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace fourdollar::store
