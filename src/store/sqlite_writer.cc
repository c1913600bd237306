#include "store/sqlite_writer.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace fourdollar::store {

Result<std::unique_ptr<SqliteWriter>> SqliteWriter::Start(SqliteDb db, const Clock& clock,
                                                          Limits limits) {
  if (auto checked = WriteQueue::CheckLimits(limits); !checked) {
    return tl::unexpected(checked.error());
  }
  // Timestamps continue from the newest stored post, so they never go backwards across a
  // restart with a clock that was set back.
  auto last = db.QueryInt64("SELECT COALESCE(MAX(created_unix_ms), 0) FROM posts");
  if (!last) return tl::unexpected(last.error());
  std::unique_ptr<SqliteWriter> writer(new SqliteWriter(std::move(db), clock, limits, *last));
  auto prepared = writer->PrepareStatements();
  if (!prepared) return tl::unexpected(prepared.error());
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

SqliteWriter::SqliteWriter(SqliteDb db, const Clock& clock, Limits limits,
                           int64_t last_created_unix_ms)
    : db_(std::move(db)),
      clock_(clock),
      limits_(limits),
      last_created_unix_ms_(last_created_unix_ms),
      queue_(limits, metrics_) {}

SqliteWriter::~SqliteWriter() { Shutdown(); }

Status SqliteWriter::PrepareStatements() {
  struct Target {
    SqliteStatement* stmt;
    const char* sql;
  };
  const Target targets[] = {
      {&begin_, "BEGIN IMMEDIATE"},
      {&insert_, "INSERT INTO posts(created_unix_ms, title, body) VALUES (?1, ?2, ?3)"},
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

void SqliteWriter::Submit(NewPost post, Executor& loop, std::function<void(Result<Post>)> done) {
  queue_.Submit(std::move(post), loop, std::move(done));
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
  // kStopped comes only once everything queued has been taken and committed.
  while (queue_.TakeBatch(batch, std::nullopt) == WriteQueue::Take::kTaken) {
    CommitBatch(batch);
    batch.clear();
  }
}

void SqliteWriter::CommitBatch(std::vector<PendingWrite>& batch) {
  std::vector<Post> stored;
  stored.reserve(batch.size());
  const int64_t start_ns = MonotonicNowNs();
  Status written = WriteBatch(batch, stored);
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

  last_created_unix_ms_ = stored.back().created_unix_ms;
  // Readers that see the new generation must also see the new rows; the completions posted
  // below come after it, so a cache refilled by them is never tagged with a stale number.
  generation_.fetch_add(1, std::memory_order_release);
  for (size_t i = 0; i < batch.size(); ++i) CompleteWrite(batch[i], std::move(stored[i]));
}

Status SqliteWriter::WriteBatch(std::vector<PendingWrite>& batch, std::vector<Post>& stored) {
  auto begun = begin_.Run();
  if (!begun) return begun;
  int64_t created_unix_ms = last_created_unix_ms_;
  for (PendingWrite& request : batch) {
    created_unix_ms = std::max(created_unix_ms, clock_.NowUnixMs());
    Status bound = insert_.BindInt64(1, created_unix_ms)
                       .and_then([&] { return insert_.BindText(2, request.post.title); })
                       .and_then([&] { return insert_.BindText(3, request.post.body); });
    if (!bound) {
      insert_.Reset();
      return bound;
    }
    auto inserted = insert_.Run();
    if (!inserted) return inserted;
    // The request's text is not needed again: a failed batch reports only the error.
    stored.push_back(Post{db_.LastInsertRowId(), created_unix_ms, std::move(request.post.title),
                          std::move(request.post.body)});
  }
  return commit_.Run();
}

}  // namespace fourdollar::store
