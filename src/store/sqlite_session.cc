#include "store/sqlite_session.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace fourdollar::store {

namespace {
// Long enough to ride out a checkpoint; reads in WAL mode otherwise never wait for the writer.
constexpr int kReadBusyTimeoutMs = 5000;
}  // namespace

Result<std::unique_ptr<SqliteSession>> SqliteSession::Open(const std::string& path,
                                                           std::shared_ptr<SqliteWriter> writer,
                                                           Executor& loop) {
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly, kReadBusyTimeoutMs);
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<SqliteSession> session(
      new SqliteSession(std::move(*db), std::move(writer), loop));
  // One statement serves both the first page and later ones: "before" defaults to the
  // largest id, which no post reaches in practice.
  auto latest = session->db_.Prepare(kSqliteLatestSql);
  if (!latest) return tl::unexpected(latest.error());
  auto get = session->db_.Prepare(
      "SELECT id, created_unix_ms, title, body, updated_unix_ms, revision, "
      "deleted_unix_ms IS NOT NULL, body_html IS NOT NULL, COALESCE(body_html, '') FROM posts "
      "WHERE id = ?1");
  if (!get) return tl::unexpected(get.error());
  session->latest_ = std::move(*latest);
  session->get_ = std::move(*get);
  return session;
}

void SqliteSession::Latest(std::optional<int64_t> before_id, int limit,
                           std::function<void(Result<PostList>)> done) {
  done(QueryLatest(before_id, limit));
}

void SqliteSession::Get(int64_t id, std::function<void(Result<std::optional<Post>>)> done) {
  done(QueryPost(id));
}

void SqliteSession::Insert(NewPost post, std::function<void(Result<Post>)> done) {
  writer_->Submit(WriteRequest{WriteRequest::Kind::kInsert, 0, std::nullopt, std::move(post)},
                  loop_, std::move(done));
}

void SqliteSession::Update(int64_t id, NewPost post, std::optional<int64_t> expected_revision,
                           std::function<void(Result<Post>)> done) {
  writer_->Submit(WriteRequest{WriteRequest::Kind::kUpdate, id, expected_revision, std::move(post)},
                  loop_, std::move(done));
}

void SqliteSession::Delete(int64_t id, std::function<void(Result<Post>)> done) {
  writer_->Submit(WriteRequest{WriteRequest::Kind::kDelete, id, std::nullopt, {}}, loop_,
                  std::move(done));
}

Result<PostList> SqliteSession::QueryLatest(std::optional<int64_t> before_id, int limit) {
  if (limit < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "latest posts: limit must not be negative, got " + std::to_string(limit));
  }
  // The reset ends the read transaction, so the next read sees newer commits and the WAL
  // can be checkpointed.
  StatementResetter reset(latest_);
  Status bound =
      latest_.BindInt64(1, before_id.value_or(std::numeric_limits<int64_t>::max())).and_then([&] {
        return latest_.BindInt64(2, limit);
      });
  if (!bound) return tl::unexpected(bound.error());
  PostList posts;
  // A caller may ask for "all" with a huge limit; reserve only what a page usually holds.
  posts.reserve(std::min<size_t>(static_cast<size_t>(limit), 64));
  while (true) {
    auto row = latest_.Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return posts;
    posts.push_back(PostSummary{latest_.ColumnInt64(0), latest_.ColumnInt64(1),
                                latest_.ColumnText(2), latest_.ColumnInt64(3)});
  }
}

Result<std::optional<Post>> SqliteSession::QueryPost(int64_t id) {
  StatementResetter reset(get_);
  if (auto bound = get_.BindInt64(1, id); !bound) return tl::unexpected(bound.error());
  auto row = get_.Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Post>();
  Post post;
  post.id = get_.ColumnInt64(0);
  post.created_unix_ms = get_.ColumnInt64(1);
  post.title = get_.ColumnText(2);
  post.body = get_.ColumnText(3);
  post.updated_unix_ms = get_.ColumnInt64(4);
  post.revision = get_.ColumnInt64(5);
  post.deleted = get_.ColumnInt64(6) != 0;
  if (get_.ColumnInt64(7) != 0) post.body_html = get_.ColumnText(8);
  return std::optional<Post>(std::move(post));
}

}  // namespace fourdollar::store
