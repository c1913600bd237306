// A loop thread's view of a PostgreSQL store: its own connection for reads, with prepared
// statements, and the shared writer for inserts.
//
// Reads block the loop thread for one round trip (about 0.1 ms on loopback) rather than
// threading libpq's non-blocking protocol through the event loop; the store module stays free
// of the net module. A lost connection fails the read with kUnavailable and is made again on a
// later read, with backoff (100 ms doubling to 2 s), so an outage costs each loop one failed
// connection attempt per backoff period, not one per request.
//
// Threading: used by one thread at a time (its loop thread). Reads call `done` before returning;
// Insert completions run on the session's Executor.
#pragma once

#include <memory>
#include <string>

#include "base/executor.h"
#include "store/postgres_backoff.h"
#include "store/postgres_connection.h"
#include "store/postgres_writer.h"
#include "store/store.h"

namespace fourdollar::store {

class PostgresSession final : public StoreSession {
 public:
  // Connects to `url` (a migrated database). `loop` must outlive the session and every Insert
  // it queued.
  static Result<std::unique_ptr<PostgresSession>> Open(std::string url,
                                                       std::shared_ptr<PostgresWriter> writer,
                                                       Executor& loop);
  ~PostgresSession() override;
  PostgresSession(const PostgresSession&) = delete;
  PostgresSession& operator=(const PostgresSession&) = delete;

  // A negative `limit` is kInvalidArgument.
  void Latest(std::optional<int64_t> before_id, int limit,
              std::function<void(Result<PostList>)> done) override;
  void Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) override;
  void Insert(NewPost post, std::function<void(Result<Post>)> done) override;

 private:
  PostgresSession(std::string url, std::shared_ptr<PostgresWriter> writer, Executor& loop)
      : url_(std::move(url)), writer_(std::move(writer)), loop_(loop) {}
  // Connects and prepares the statements when not connected and the backoff allows.
  Status EnsureConnected();
  void Disconnect();
  Result<PgResult> Run(const std::string& statement, const std::vector<std::string>& params);
  Result<PostList> QueryLatest(std::optional<int64_t> before_id, int limit);
  Result<std::optional<Post>> QueryPost(int64_t id);

  const std::string url_;
  PgConnection db_;
  ReconnectBackoff backoff_;
  bool ever_connected_ = false;
  std::shared_ptr<PostgresWriter> writer_;
  Executor& loop_;
};

}  // namespace fourdollar::store
