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
#include <vector>

#include "base/executor.h"
#include "base/metrics.h"
#include "base/result.h"

namespace fourdollar::store {

struct Post {
  int64_t id = 0;
  int64_t created_unix_ms = 0;  // UTC, assigned by the store when the post is committed
  std::string title;
  std::string body;
};

struct PostSummary {
  int64_t id = 0;
  int64_t created_unix_ms = 0;
  std::string title;
};

struct NewPost {
  std::string title;
  std::string body;
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

  // One post; std::nullopt when no post has that id.
  virtual void Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) = 0;

  // Stores the post durably (committed and synced) and only then calls `done` with the stored
  // post (id and timestamp filled in). Errors: kUnavailable when the write queue is full or the
  // store is shutting down, kResourceExhausted when the disk is full, kIo otherwise.
  virtual void Insert(NewPost post, std::function<void(Result<Post>)> done) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // A session for the calling loop thread; callbacks are run through `loop`.
  virtual Result<std::unique_ptr<StoreSession>> OpenSession(Executor& loop) = 0;

  // A number that changes whenever committed content changes (a post was added, here or, for a
  // shared database, by another instance). Cheap: one atomic load. It is bumped after a commit
  // and before any Insert of that commit completes, so a cache tagged with the generation it was
  // built at is never served stale after a write was acknowledged.
  virtual uint64_t Generation() const = 0;

  // Appends the store's figures (posts stored, write-batch sizes, queue depth...).
  virtual void WriteMetrics(MetricsWriter& out) const = 0;

  // Stops taking writes, commits everything queued, completes every pending Insert and returns.
  // Sessions may still read afterwards. Idempotent.
  virtual void Shutdown() = 0;

  // For the start-up line: "sqlite:/abs/path/blog.db", passwords elided.
  virtual std::string Describe() const = 0;
};

struct StoreOptions {
  std::string url;                   // "sqlite:PATH" (PATH may be relative)
  size_t max_queued_writes = 16384;  // beyond it Insert fails with kUnavailable
  size_t max_batch = 1024;           // posts per write transaction at most
  // PostgreSQL: a read not answered within this long after it was queued fails with
  // kUnavailable (503), so a database that hangs stalls no visitor for longer.
  int64_t read_timeout_ms = 250;
};

// Opens (creating and migrating if needed) the store named by options.url.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace fourdollar::store
