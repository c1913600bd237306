// The single writer of a SQLite store: a bounded queue of changes (new posts, edits, deletes)
// and one thread that commits them in groups (group commit), one transaction and one sync per
// group. An edit or delete refused on its own (unknown id, deleted, stale revision) changes
// nothing and does not fail the others of its group.
//
// Checkpoints: the writer copies the WAL back into the database itself, after a commit's
// completions are posted, once the WAL holds `checkpoint_frames` frames (SQLite's own automatic
// checkpoint, which it replaces, runs inside COMMIT: the posts of that commit waited for the
// copy and its sync, about 10 ms at the seed's rate, before their answers could go).
//
// Threading: Submit, Shutdown, Generation and WriteMetrics are thread-safe. Completions run on
// the Executor given to Submit, which must outlive the writer's Shutdown.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/executor.h"
#include "base/metrics.h"
#include "base/result.h"
#include "store/newest_posts.h"
#include "store/sqlite_connection.h"
#include "store/store.h"
#include "store/write_metrics.h"
#include "store/write_queue.h"

namespace fourdollar::store {

// SQLite's default threshold for its automatic checkpoint (PRAGMA wal_autocheckpoint), in frames.
inline constexpr int kCheckpointFrames = 1000;

class SqliteWriter {
 public:
  using Limits = WriteQueue::Limits;

  // Takes a migrated read-write connection, prepares its statements and starts the thread.
  // `clock` stamps the posts and must outlive the writer. `checkpoint_frames` is at least 1.
  static Result<std::unique_ptr<SqliteWriter>> Start(SqliteDb db, const Clock& clock, Limits limits,
                                                     int checkpoint_frames = kCheckpointFrames);

  // Calls Shutdown().
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  // Queues the change; `done` later runs on `loop` with the stored post or the error (see
  // StoreSession's Insert, Update and Delete). When the queue is full or the writer is stopping,
  // `done` is posted to `loop` at once with kUnavailable.
  void Submit(WriteRequest request, Executor& loop, std::function<void(Result<Post>)> done);

  // Stops taking posts, commits everything queued, posts every completion, joins the thread.
  // Idempotent; a concurrent caller returns once the first one is done.
  void Shutdown();

  // Bumped (release) after each commit, before that commit's completions are posted; the
  // newest posts follow each commit (newest_posts.h).
  uint64_t Generation() const { return newest_.Generation(); }
  NewestPosts& newest() { return newest_; }
  // Store::ChangedUnixMs.
  int64_t ChangedUnixMs() const { return changed_unix_ms_.load(std::memory_order_relaxed); }
  // Bumped likewise, after commits that edited or deleted a post.
  uint64_t EditGeneration() const { return edits_.Generation(); }
  EditLog::Changes EditedSince(uint64_t since) const { return edits_.ChangedSince(since); }

  // The write path's figures and the checkpoints'.
  void WriteMetrics(MetricsWriter& out) const;

 private:
  SqliteWriter(SqliteDb db, const Clock& clock, Limits limits, int checkpoint_frames,
               int64_t last_created_unix_ms);
  Status PrepareStatements();
  void Run();
  void CommitBatch(std::vector<PendingWrite>& batch);
  // A passive checkpoint when the last commit left at least checkpoint_frames_ in the WAL.
  void CheckpointIfDue();
  // Each write's outcome goes to `outcomes`; an error returned fails the whole batch.
  Status WriteBatch(std::vector<PendingWrite>& batch, std::vector<Result<Post>>& outcomes);
  Status Insert(WriteRequest& request, int64_t now_unix_ms, std::vector<Result<Post>>& outcomes);
  Status Change(WriteRequest& request, int64_t now_unix_ms, std::vector<Result<Post>>& outcomes);

  SqliteDb db_;
  const Clock& clock_;
  const Limits limits_;
  SqliteStatement begin_;
  SqliteStatement insert_;
  SqliteStatement update_;
  SqliteStatement delete_;
  SqliteStatement state_;
  SqliteStatement commit_;
  SqliteStatement rollback_;
  int64_t last_created_unix_ms_;  // writer thread only, after Start
  const int checkpoint_frames_;
  int wal_frames_ = 0;               // after the last commit (sqlite3_wal_hook); writer thread only
  bool checkpoint_failing_ = false;  // the last checkpoint failed; writer thread only
  SingleWriterCounter checkpoints_;
  SingleWriterCounter checkpoint_failures_;
  SingleWriterHistogram<kLatencyBucketsSeconds.size()> checkpoint_seconds_{kLatencyBucketsSeconds};

  NewestPosts newest_;
  std::atomic<int64_t> changed_unix_ms_{0};  // stored before each bump of the generation
  EditLog edits_;
  store::WriteMetrics metrics_;
  WriteQueue queue_;
  std::once_flag join_once_;
  std::thread thread_;
};

}  // namespace fourdollar::store
