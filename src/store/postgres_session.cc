#include "store/postgres_session.h"
#include "store/libpq.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "base/clock.h"
#include "base/thread_name.h"

namespace fourdollar::store {

Result<std::unique_ptr<PostgresSession>> PostgresSession::Open(
    std::string url, std::shared_ptr<PostgresWriter> writer, Executor& loop,
    int64_t read_timeout_ms) {
  std::unique_ptr<PostgresSession> session(
      new PostgresSession(std::move(url), std::move(writer), loop, read_timeout_ms));
  const int64_t deadline_ns = MonotonicNowNs() + PgConnection::kDefaultConnectTimeoutMs * 1'000'000;
  if (Status connected = session->EnsureConnected(deadline_ns); !connected) {
    return tl::unexpected(connected.error());
  }
  session->reader_ = std::thread([raw = session.get()] {
    NameThisThread("pg-reader");
    raw->ReaderLoop();
  });
  return session;
}

PostgresSession::~PostgresSession() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (reader_.joinable()) reader_.join();
  Disconnect();
}

bool PostgresSession::Enqueue(ReadJob job) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueuedReads) return false;
    queue_.push_back({std::move(job), MonotonicNowNs() + read_timeout_ns_});
  }
  wake_.notify_one();
  return true;
}

void PostgresSession::ReaderLoop() {
  for (;;) {
    QueuedRead read;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      read = std::move(queue_.front());
      queue_.pop_front();
      // Stopping: what is still queued fails without touching the connection.
      if (stopping_) read.deadline_ns = 0;
    }
    read.job(read.deadline_ns);
  }
}

void PostgresSession::Disconnect() {
  if (!db_.valid()) return;
  db_.Close();
  writer_->metrics().ReadConnectionClosed();
}

Status PostgresSession::EnsureConnected(int64_t deadline_ns) {
  if (db_.ok()) return {};
  Disconnect();
  const int64_t now_ns = MonotonicNowNs();
  if (!backoff_.Due(now_ns)) {
    return MakeError(ErrorCode::kUnavailable, "PostgreSQL is unreachable; reconnecting");
  }
  auto connected =
      PgConnection::Connect(url_, std::max<int64_t>(1, (deadline_ns - now_ns) / 1'000'000));
  Status prepared = connected.and_then([&](PgConnection& db) {
    // One statement serves both the first page and later ones: "before" defaults to the
    // largest id, which no post reaches in practice.
    return db.PrepareBy("latest", kPostgresLatestSql, 2, deadline_ns).and_then([&] {
      return db.PrepareBy("get",
                          "SELECT id, created_unix_ms, title, body, updated_unix_ms, "
                          "revision, (deleted_unix_ms IS NOT NULL)::int, "
                          "(body_html IS NOT NULL)::int, COALESCE(body_html, '') FROM posts "
                          "WHERE id = $1::bigint",
                          1, deadline_ns);
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
                                      const std::vector<std::string>& params, int64_t deadline_ns) {
  if (MonotonicNowNs() >= deadline_ns) {
    return MakeError(ErrorCode::kUnavailable, "PostgreSQL did not answer in time");
  }
  if (Status connected = EnsureConnected(deadline_ns); !connected) {
    return tl::unexpected(connected.error());
  }
  auto result = db_.ExecPreparedBy(statement, params, deadline_ns);
  if (!result && (!db_.ok() || MonotonicNowNs() >= deadline_ns)) {
    // Broken, or left in the middle of a statement by the deadline: made again on a later
    // read, after the backoff, so that a server that does not answer is not asked again by
    // every read.
    Disconnect();
    backoff_.Failed(MonotonicNowNs());
  }
  return result;
}

namespace {

// Runs `done(result)` on `loop`.
template <typename T>
void Complete(Executor& loop, std::function<void(Result<T>)> done, Result<T> result) {
  loop.Post(
      [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

Error TooManyReads() {
  return Error{ErrorCode::kUnavailable, "too many reads are waiting for PostgreSQL"};
}

}  // namespace

void PostgresSession::Latest(std::optional<int64_t> before_id, int limit,
                             std::function<void(Result<PostList>)> done) {
  auto job = [this, before_id, limit, done](int64_t deadline_ns) {
    Complete(loop_, done, QueryLatest(before_id, limit, deadline_ns));
  };
  if (!Enqueue(std::move(job))) done(tl::unexpected(TooManyReads()));
}

void PostgresSession::Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) {
  auto job = [this, id, done](int64_t deadline_ns) {
    Complete(loop_, done, QueryPost(id, deadline_ns));
  };
  if (!Enqueue(std::move(job))) done(tl::unexpected(TooManyReads()));
}

void PostgresSession::Insert(NewPost post, std::function<void(Result<Post>)> done) {
  writer_->Submit(WriteRequest{WriteRequest::Kind::kInsert, 0, std::nullopt, std::move(post)},
                  loop_, std::move(done));
}

void PostgresSession::Update(int64_t id, NewPost post, std::optional<int64_t> expected_revision,
                             std::function<void(Result<Post>)> done) {
  writer_->Submit(WriteRequest{WriteRequest::Kind::kUpdate, id, expected_revision, std::move(post)},
                  loop_, std::move(done));
}

void PostgresSession::Delete(int64_t id, std::function<void(Result<Post>)> done) {
  writer_->Submit(WriteRequest{WriteRequest::Kind::kDelete, id, std::nullopt, {}}, loop_,
                  std::move(done));
}

Result<PostList> PostgresSession::QueryLatest(std::optional<int64_t> before_id, int limit,
                                              int64_t deadline_ns) {
  if (limit < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "latest posts: limit must not be negative, got " + std::to_string(limit));
  }
  auto rows = Run("latest",
                  {std::to_string(before_id.value_or(std::numeric_limits<int64_t>::max())),
                   std::to_string(limit)},
                  deadline_ns);
  if (!rows) return tl::unexpected(rows.error());
  const PGresult* result = rows->get();
  PostList posts;
  posts.reserve(static_cast<size_t>(Pq().PQntuples(result)));
  for (int row = 0; row < Pq().PQntuples(result); ++row) {
    posts.push_back(PostSummary{PgInt64(result, row, 0), PgInt64(result, row, 1),
                                PgText(result, row, 2), PgInt64(result, row, 3)});
  }
  return posts;
}

Result<std::optional<Post>> PostgresSession::QueryPost(int64_t id, int64_t deadline_ns) {
  auto rows = Run("get", {std::to_string(id)}, deadline_ns);
  if (!rows) return tl::unexpected(rows.error());
  const PGresult* result = rows->get();
  if (Pq().PQntuples(result) == 0) return std::optional<Post>();
  Post post;
  post.id = PgInt64(result, 0, 0);
  post.created_unix_ms = PgInt64(result, 0, 1);
  post.title = PgText(result, 0, 2);
  post.body = PgText(result, 0, 3);
  post.updated_unix_ms = PgInt64(result, 0, 4);
  post.revision = PgInt64(result, 0, 5);
  post.deleted = PgInt64(result, 0, 6) != 0;
  if (PgInt64(result, 0, 7) != 0) post.body_html = PgText(result, 0, 8);
  return std::optional<Post>(std::move(post));
}

}  // namespace fourdollar::store
