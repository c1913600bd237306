#include "store/postgres_session.h"
#include "store/libpq.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "base/clock.h"

namespace fourdollar::store {

Result<std::unique_ptr<PostgresSession>> PostgresSession::Open(
    std::string url, std::shared_ptr<PostgresWriter> writer, Executor& loop) {
  std::unique_ptr<PostgresSession> session(
      new PostgresSession(std::move(url), std::move(writer), loop));
  if (Status connected = session->EnsureConnected(); !connected) {
    return tl::unexpected(connected.error());
  }
  return session;
}

PostgresSession::~PostgresSession() { Disconnect(); }

void PostgresSession::Disconnect() {
  if (!db_.valid()) return;
  db_.Close();
  writer_->metrics().ReadConnectionClosed();
}

Status PostgresSession::EnsureConnected() {
  if (db_.ok()) return {};
  Disconnect();
  const int64_t now_ns = MonotonicNowNs();
  if (!backoff_.Due(now_ns)) {
    return MakeError(ErrorCode::kUnavailable, "PostgreSQL is unreachable; reconnecting");
  }
  auto connected = PgConnection::Connect(url_);
  Status prepared = connected.and_then([](PgConnection& db) {
    // One statement serves both the first page and later ones: "before" defaults to the
    // largest id, which no post reaches in practice.
    return db
        .Prepare("latest",
                 "SELECT id, created_unix_ms, title FROM posts WHERE id < $1::bigint "
                 "ORDER BY id DESC LIMIT $2::bigint",
                 2)
        .and_then([&] {
          return db.Prepare("get",
                            "SELECT id, created_unix_ms, title, body FROM posts "
                            "WHERE id = $1::bigint",
                            1);
        });
  });
  if (!prepared) {
    backoff_.Failed(now_ns);
    Error error = prepared.error();
    if (ever_connected_) error.code = ErrorCode::kUnavailable;
    return tl::unexpected(error);
  }
  db_ = std::move(*connected);
  backoff_.Succeeded();
  writer_->metrics().ReadConnectionOpened();
  if (ever_connected_) writer_->metrics().CountReconnect(PostgresMetrics::Link::kRead);
  ever_connected_ = true;
  return {};
}

Result<PgResult> PostgresSession::Run(const std::string& statement,
                                      const std::vector<std::string>& params) {
  if (Status connected = EnsureConnected(); !connected) return tl::unexpected(connected.error());
  auto result = db_.ExecPrepared(statement, params);
  // A broken connection is made again on a later read; this one reports the outage.
  if (!result && !db_.ok()) Disconnect();
  return result;
}

void PostgresSession::Latest(std::optional<int64_t> before_id, int limit,
                             std::function<void(Result<PostList>)> done) {
  done(QueryLatest(before_id, limit));
}

void PostgresSession::Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) {
  done(QueryPost(id));
}

void PostgresSession::Insert(NewPost post, std::function<void(Result<Post>)> done) {
  writer_->Submit(std::move(post), loop_, std::move(done));
}

Result<PostList> PostgresSession::QueryLatest(std::optional<int64_t> before_id, int limit) {
  if (limit < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "latest posts: limit must not be negative, got " + std::to_string(limit));
  }
  auto rows =
      Run("latest", {std::to_string(before_id.value_or(std::numeric_limits<int64_t>::max())),
                     std::to_string(limit)});
  if (!rows) return tl::unexpected(rows.error());
  const PGresult* result = rows->get();
  PostList posts;
  posts.reserve(static_cast<size_t>(Pq().PQntuples(result)));
  for (int row = 0; row < Pq().PQntuples(result); ++row) {
    posts.push_back(
        PostSummary{PgInt64(result, row, 0), PgInt64(result, row, 1), PgText(result, row, 2)});
  }
  return posts;
}

Result<std::optional<Post>> PostgresSession::QueryPost(int64_t id) {
  auto rows = Run("get", {std::to_string(id)});
  if (!rows) return tl::unexpected(rows.error());
  const PGresult* result = rows->get();
  if (Pq().PQntuples(result) == 0) return std::optional<Post>();
  return std::optional<Post>(Post{PgInt64(result, 0, 0), PgInt64(result, 0, 1),
                                  PgText(result, 0, 2), PgText(result, 0, 3)});
}

}  // namespace fourdollar::store
