// A loop thread's view of a SQLite store: its own read-only connection for reads, and the
// shared writer for inserts.
//
// Threading: used by one thread at a time (its loop thread). Reads run on the calling thread
// and call `done` before returning; Insert completions run on the session's Executor.
#pragma once

#include <memory>
#include <string>

#include "base/executor.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_writer.h"
#include "store/store.h"

namespace fourdollar::store {

// The list pages' query: the newest posts below id ?1 (the largest id for the first page), ?2 of
// them. It reads only the covering index posts_listed (sqlite_schema.cc), never the table.
inline constexpr const char* kSqliteLatestSql =
    "SELECT id, created_unix_ms, title, updated_unix_ms FROM posts WHERE id < ?1 AND "
    "deleted_unix_ms IS NULL ORDER BY id DESC LIMIT ?2";

class SqliteSession final : public StoreSession {
 public:
  // Opens a read-only connection to the database at `path` (already created and migrated).
  // `loop` must outlive the session and every Insert it queued.
  static Result<std::unique_ptr<SqliteSession>> Open(const std::string& path,
                                                     std::shared_ptr<SqliteWriter> writer,
                                                     Executor& loop);

  SqliteSession(const SqliteSession&) = delete;
  SqliteSession& operator=(const SqliteSession&) = delete;

  // A negative `limit` is kInvalidArgument.
  void Latest(std::optional<int64_t> before_id, int limit,
              std::function<void(Result<PostList>)> done) override;
  void Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) override;
  void Insert(NewPost post, std::function<void(Result<Post>)> done) override;
  void Update(int64_t id, NewPost post, std::optional<int64_t> expected_revision,
              std::function<void(Result<Post>)> done) override;
  void Delete(int64_t id, std::function<void(Result<Post>)> done) override;

 private:
  SqliteSession(SqliteDb db, std::shared_ptr<SqliteWriter> writer, Executor& loop)
      : db_(std::move(db)), writer_(std::move(writer)), loop_(loop) {}
  Result<PostList> QueryLatest(std::optional<int64_t> before_id, int limit);
  Result<std::optional<Post>> QueryPost(int64_t id);

  SqliteDb db_;
  SqliteStatement latest_;
  SqliteStatement get_;
  std::shared_ptr<SqliteWriter> writer_;
  Executor& loop_;
};

}  // namespace fourdollar::store
