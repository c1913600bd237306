#include "store/sqlite_writer.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "base/thread_name.h"

namespace fourdollar::store {

Result<std::unique_ptr<SqliteWriter>> SqliteWriter::Start(SqliteDb db, const Clock& clock,
                                                          Limits limits, int checkpoint_frames) {
  if (auto checked = WriteQueue::CheckLimits(limits); !checked) {
    return tl::unexpected(checked.error());
  }
  if (checkpoint_frames < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "checkpoint threshold must be at least 1 frame");
  }
  // Timestamps continue from the newest stored post, so they never go backwards across a
  // restart with a clock that was set back.
  auto last = db.QueryInt64(
      "SELECT MAX(COALESCE(MAX(created_unix_ms), 0), COALESCE(MAX(updated_unix_ms), 0)) "
      "FROM posts");
  if (!last) return tl::unexpected(last.error());
  std::unique_ptr<SqliteWriter> writer(
      new SqliteWriter(std::move(db), clock, limits, checkpoint_frames, *last));
  auto prepared = writer->PrepareStatements();
  if (!prepared) return tl::unexpected(prepared.error());
  // Replaces SQLite's automatic checkpoint (itself a WAL hook): only the frame count is kept,
  // and CommitBatch checkpoints once the commit's answers are on their way.
  sqlite3_wal_hook(
      writer->db_.get(),
      [](void* self, sqlite3*, const char*, int frames) {
        static_cast<SqliteWriter*>(self)->wal_frames_ = frames;
        return SQLITE_OK;
      },
      writer.get());
  writer->thread_ = std::thread([w = writer.get()] {
    NameThisThread("sqlite-writer");
    w->Run();
  });
  return writer;
}

SqliteWriter::SqliteWriter(SqliteDb db, const Clock& clock, Limits limits, int checkpoint_frames,
                           int64_t last_created_unix_ms)
    : db_(std::move(db)),
      clock_(clock),
      limits_(limits),
      last_created_unix_ms_(last_created_unix_ms),
      checkpoint_frames_(checkpoint_frames),
      queue_(limits, metrics_) {
  changed_unix_ms_.store(std::max(last_created_unix_ms, clock.NowUnixMs()));
}

SqliteWriter::~SqliteWriter() { Shutdown(); }

Status SqliteWriter::PrepareStatements() {
  struct Target {
    SqliteStatement* stmt;
    const char* sql;
  };
  const Target targets[] = {
      {&begin_, "BEGIN IMMEDIATE"},
      {&insert_,
       "INSERT INTO posts(created_unix_ms, title, body, body_html) VALUES (?1, ?2, ?3, ?4)"},
      // ?4 < 0: any revision.
      {&update_,
       "UPDATE posts SET title = ?1, body = ?2, updated_unix_ms = ?3, revision = revision + 1, "
       "body_html = ?6 "
       "WHERE id = ?5 AND deleted_unix_ms IS NULL AND (?4 < 0 OR revision = ?4) "
       "RETURNING created_unix_ms, revision"},
      // The text goes; the row stays, so the id is never handed out again.
      {&delete_,
       "UPDATE posts SET title = '', body = '', body_html = '', updated_unix_ms = ?1, "
       "deleted_unix_ms = ?1, "
       "revision = revision + 1 WHERE id = ?2 AND deleted_unix_ms IS NULL "
       "RETURNING created_unix_ms, revision"},
      {&state_, "SELECT deleted_unix_ms IS NOT NULL, revision FROM posts WHERE id = ?1"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
  };
  for (const Target& target : targets) {
    auto stmt = db_.Prepare(target.sql);
    if (!stmt) return tl::unexpected(stmt.error());
    *target.stmt = std::move(*stmt);
  }
  return {};
}

void SqliteWriter::Submit(WriteRequest request, Executor& loop,
                          std::function<void(Result<Post>)> done) {
  queue_.Submit(std::move(request), loop, std::move(done));
}

void SqliteWriter::Shutdown() {
  queue_.Stop();
  std::call_once(join_once_, [this] {
    if (thread_.joinable()) thread_.join();
  });
}

void SqliteWriter::Run() {
  std::vector<PendingWrite> batch;
  batch.reserve(limits_.max_batch);
  size_t last_batch = 1;
  // kStopped comes only once everything queued has been taken and committed.
  while (true) {
    queue_.Await(last_batch, WriteQueue::kAwaitUs);
    if (queue_.TakeBatch(batch, std::nullopt) != WriteQueue::Take::kTaken) break;
    queue_.Fill(batch, last_batch);
    last_batch = batch.size();
    CommitBatch(batch);
    batch.clear();
  }
}

void SqliteWriter::CommitBatch(std::vector<PendingWrite>& batch) {
  std::vector<Result<Post>> outcomes;
  outcomes.reserve(batch.size());
  const int64_t start_ns = MonotonicNowNs();
  Status written = WriteBatch(batch, outcomes);
  const double seconds = static_cast<double>(MonotonicNowNs() - start_ns) / 1e9;
  metrics_.RecordBatch(batch.size(), seconds, written.has_value());

  if (!written) {
    // A failed COMMIT may already have rolled back (SQLite does so itself on some disk-full and
    // I/O errors); otherwise the transaction is still open and must end here, or every later
    // BEGIN would fail and the writer would refuse posts until a restart.
    if (sqlite3_get_autocommit(db_.get()) == 0) {
      if (auto rolled_back = rollback_.Run(); !rolled_back) {
        // The next batch's BEGIN fails and tries again; nothing is acknowledged meanwhile.
        std::fprintf(stderr, "fourdollar: %s: rollback failed: %s\n", db_.path().c_str(),
                     rolled_back.error().message.c_str());
      }
    }
    Error error = written.error();
    if (error.code == ErrorCode::kResourceExhausted) metrics_.CountDiskFull(batch.size());
    error.message = "cannot store post in " + db_.path() + ": " + error.message;
    // Busy means another process held the write lock past the timeout: an I/O-side failure
    // from the caller's view, not a queue that will drain.
    if (error.code == ErrorCode::kUnavailable) error.code = ErrorCode::kIo;
    for (PendingWrite& write : batch) CompleteWrite(write, tl::unexpected(error));
    return;
  }

  for (const Result<Post>& outcome : outcomes) {
    if (!outcome) continue;
    last_created_unix_ms_ =
        std::max({last_created_unix_ms_, outcome->created_unix_ms, outcome->updated_unix_ms});
  }
  // Readers that see the new generation must also see the new rows; the completions posted
  // below come after it, so a cache refilled by them is never tagged with a stale number.
  edits_.Record(EditedIds(batch, outcomes));
  changed_unix_ms_.store(
      std::max(changed_unix_ms_.load(std::memory_order_relaxed), last_created_unix_ms_),
      std::memory_order_relaxed);
  newest_.Commit(batch, outcomes);
  for (size_t i = 0; i < batch.size(); ++i) CompleteWrite(batch[i], std::move(outcomes[i]));
  CheckpointIfDue();
}

void SqliteWriter::CheckpointIfDue() {
  if (wal_frames_ < checkpoint_frames_) return;
  // Reset first: a checkpoint that cannot finish (a reader still holds an old snapshot) is
  // tried again after the next commit, as SQLite's own would be.
  wal_frames_ = 0;
  const int64_t start_ns = MonotonicNowNs();
  const int rc =
      sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  checkpoint_seconds_.Observe(static_cast<double>(MonotonicNowNs() - start_ns) / 1e9);
  if (rc == SQLITE_OK) {
    checkpoints_.Add();
    if (checkpoint_failing_) {
      std::fprintf(stderr, "fourdollar: %s: checkpoints succeed again\n", db_.path().c_str());
    }
    checkpoint_failing_ = false;
    return;
  }
  // Nothing is lost: the commits are in the WAL, which SQLite reads until a checkpoint succeeds.
  // Said once, not after every commit of a full disk.
  checkpoint_failures_.Add();
  if (!checkpoint_failing_) {
    std::fprintf(stderr, "fourdollar: %s: checkpoint failed (tried again after each commit): %s\n",
                 db_.path().c_str(), sqlite3_errmsg(db_.get()));
  }
  checkpoint_failing_ = true;
}

void SqliteWriter::WriteMetrics(MetricsWriter& out) const {
  metrics_.WriteTo(out);
  out.Single("fourdollar_sqlite_checkpoints_total", "counter",
             "Checkpoints that copied the WAL back into the database file.",
             static_cast<double>(checkpoints_.Get()));
  out.Single("fourdollar_sqlite_checkpoint_failures_total", "counter",
             "Checkpoints that failed (tried again after the next commit).",
             static_cast<double>(checkpoint_failures_.Get()));
  WriteHistogram(
      out, "fourdollar_sqlite_checkpoint_seconds",
      "Time of one checkpoint, taken after the answers of the commit that called for it.",
      checkpoint_seconds_);
}

Status SqliteWriter::WriteBatch(std::vector<PendingWrite>& batch,
                                std::vector<Result<Post>>& outcomes) {
  auto begun = begin_.Run();
  if (!begun) return begun;
  int64_t now_unix_ms = last_created_unix_ms_;
  for (PendingWrite& write : batch) {
    now_unix_ms = std::max(now_unix_ms, clock_.NowUnixMs());
    Status done = write.request.kind == WriteRequest::Kind::kInsert
                      ? Insert(write.request, now_unix_ms, outcomes)
                      : Change(write.request, now_unix_ms, outcomes);
    if (!done) return done;
  }
  return commit_.Run();
}

Status SqliteWriter::Insert(WriteRequest& request, int64_t now_unix_ms,
                            std::vector<Result<Post>>& outcomes) {
  Status bound = insert_.BindInt64(1, now_unix_ms)
                     .and_then([&] { return insert_.BindText(2, request.post.title); })
                     .and_then([&] { return insert_.BindText(3, request.post.body); })
                     .and_then([&] { return insert_.BindText(4, request.post.body_html); });
  if (!bound) {
    insert_.Reset();
    return bound;
  }
  auto inserted = insert_.Run();
  if (!inserted) return inserted;
  // The request's text is not needed again: a failed batch reports only the error.
  Post post;
  post.id = db_.LastInsertRowId();
  post.created_unix_ms = now_unix_ms;
  post.title = std::move(request.post.title);
  post.body = std::move(request.post.body);
  post.body_html = std::move(request.post.body_html);
  outcomes.push_back(std::move(post));
  return {};
}

Status SqliteWriter::Change(WriteRequest& request, int64_t now_unix_ms,
                            std::vector<Result<Post>>& outcomes) {
  const bool update = request.kind == WriteRequest::Kind::kUpdate;
  SqliteStatement& stmt = update ? update_ : delete_;
  StatementResetter reset(stmt);
  Status bound =
      update
          ? stmt.BindText(1, request.post.title)
                .and_then([&] { return stmt.BindText(2, request.post.body); })
                .and_then([&] { return stmt.BindInt64(3, now_unix_ms); })
                .and_then([&] { return stmt.BindInt64(4, request.expected_revision.value_or(-1)); })
                .and_then([&] { return stmt.BindInt64(5, request.id); })
                .and_then([&] { return stmt.BindText(6, request.post.body_html); })
          : stmt.BindInt64(1, now_unix_ms).and_then([&] { return stmt.BindInt64(2, request.id); });
  if (!bound) return bound;
  auto row = stmt.Step();
  if (!row) return tl::unexpected(row.error());
  if (*row) {
    Post post;
    post.id = request.id;
    post.created_unix_ms = stmt.ColumnInt64(0);
    post.revision = stmt.ColumnInt64(1);
    post.updated_unix_ms = now_unix_ms;
    post.deleted = !update;
    if (update) {
      post.title = std::move(request.post.title);
      post.body = std::move(request.post.body);
      post.body_html = std::move(request.post.body_html);
    }
    // Stepping to the end finishes the statement before the next one runs.
    if (auto end = stmt.Step(); !end) return tl::unexpected(end.error());
    outcomes.push_back(std::move(post));
    return {};
  }
  // Nothing changed: say why.
  StatementResetter reset_state(state_);
  if (Status b = state_.BindInt64(1, request.id); !b) return b;
  auto state = state_.Step();
  if (!state) return tl::unexpected(state.error());
  const std::string which = "post " + std::to_string(request.id);
  if (!*state) {
    outcomes.push_back(MakeError(ErrorCode::kNotFound, which + " does not exist"));
  } else if (state_.ColumnInt64(0) != 0) {
    outcomes.push_back(MakeError(ErrorCode::kGone, which + " was deleted"));
  } else {
    outcomes.push_back(MakeError(ErrorCode::kFailedPrecondition,
                                 which + " changed since it was read (it is at revision " +
                                     std::to_string(state_.ColumnInt64(1)) + ")"));
  }
  return {};
}

}  // namespace fourdollar::store
