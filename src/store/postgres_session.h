// A loop thread's view of a PostgreSQL store: its own connection for reads, with prepared
// statements, and the shared writer for inserts.
//
// Reads never block the loop thread: each session has one reader thread that owns the read
// connection and runs the queued reads in order, and each read's completion is posted back to
// the loop. A read that PostgreSQL has not answered within `read_timeout_ms` of being queued fails
// with kUnavailable (the server answers 503 with Retry-After), so a database that accepts
// connections but does not answer (its processes stopped, a partition) costs a visitor at most
// that long and the loop's other connections nothing. After a timeout or a lost connection the
// connection is made again on a later read, with backoff (100 ms doubling to 2 s); reads
// meanwhile fail at once. At most kMaxQueuedReads wait; past that a read fails at once.
//
// Threading: Latest, Get and Insert are called on the loop thread (the session's Executor), and
// every completion runs there.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/executor.h"
#include "store/postgres_backoff.h"
#include "store/postgres_connection.h"
#include "store/postgres_writer.h"
#include "store/store.h"

namespace fourdollar::store {

// The list pages' query: the newest posts below id $1 (the largest id for the first page), $2
// of them. Its rows are in the covering index posts_listed (postgres_schema.cc).
inline constexpr const char* kPostgresLatestSql =
    "SELECT id, created_unix_ms, title, updated_unix_ms FROM posts WHERE id < $1::bigint AND "
    "deleted_unix_ms IS NULL ORDER BY id DESC LIMIT $2::bigint";

class PostgresSession final : public StoreSession {
 public:
  // Connects to `url` (a migrated database). `loop` must outlive the session and every Insert
  // it queued.
  static Result<std::unique_ptr<PostgresSession>> Open(std::string url,
                                                       std::shared_ptr<PostgresWriter> writer,
                                                       Executor& loop, int64_t read_timeout_ms);
  // Stops the reader thread; reads still queued fail with kUnavailable (their completions are
  // posted to the loop, which may already have stopped).
  ~PostgresSession() override;
  PostgresSession(const PostgresSession&) = delete;
  PostgresSession& operator=(const PostgresSession&) = delete;

  // A negative `limit` is kInvalidArgument.
  void Latest(std::optional<int64_t> before_id, int limit,
              std::function<void(Result<PostList>)> done) override;
  void Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) override;
  void Insert(NewPost post, std::function<void(Result<Post>)> done) override;
  void Update(int64_t id, NewPost post, std::optional<int64_t> expected_revision,
              std::function<void(Result<Post>)> done) override;
  void Delete(int64_t id, std::function<void(Result<Post>)> done) override;

  static constexpr size_t kMaxQueuedReads = 256;

 private:
  // A queued read: runs on the reader thread with the monotonic time by which it must end.
  using ReadJob = std::function<void(int64_t deadline_ns)>;
  struct QueuedRead {
    ReadJob job;
    int64_t deadline_ns;
  };

  PostgresSession(std::string url, std::shared_ptr<PostgresWriter> writer, Executor& loop,
                  int64_t read_timeout_ms)
      : url_(std::move(url)),
        read_timeout_ns_(read_timeout_ms * 1'000'000),
        writer_(std::move(writer)),
        loop_(loop) {}
  // Queues `job`, or returns false when kMaxQueuedReads are waiting already.
  bool Enqueue(ReadJob job);
  void ReaderLoop();
  // Connects and prepares the statements when not connected and the backoff allows.
  Status EnsureConnected(int64_t deadline_ns);
  void Disconnect();
  Result<PgResult> Run(const std::string& statement, const std::vector<std::string>& params,
                       int64_t deadline_ns);
  Result<PostList> QueryLatest(std::optional<int64_t> before_id, int limit, int64_t deadline_ns);
  Result<std::optional<Post>> QueryPost(int64_t id, int64_t deadline_ns);

  const std::string url_;
  const int64_t read_timeout_ns_;
  PgConnection db_;
  ReconnectBackoff backoff_;
  bool ever_connected_ = false;
  std::shared_ptr<PostgresWriter> writer_;
  Executor& loop_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<QueuedRead> queue_;  // guarded by mutex_
  bool stopping_ = false;         // guarded by mutex_
  std::thread reader_;            // last: started once the rest is set up
};

}  // namespace fourdollar::store
