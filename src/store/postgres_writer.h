// The single writer of a PostgreSQL store in this instance: the shared bounded queue, and one
// thread owning one connection that commits the queued changes (new posts, edits, deletes) in
// groups (group commit), one transaction per group, with synchronous_commit left on. An edit or
// delete refused on its own (unknown id, deleted, stale revision) changes nothing and does not
// fail the others of its group.
//
// Each write transaction takes the advisory lock kPostgresWriteLockKey before drawing ids, so
// ids follow commit order across all instances on the database, and sends NOTIFY
// fourdollar_posts (payload "edit" too when it edited or deleted a post), which PostgreSQL
// delivers to every listener after the commit.
//
// Outages: while PostgreSQL cannot be reached, batches fail at once with kUnavailable and the
// writer reconnects with backoff (100 ms doubling to 2 s) when posts arrive. When the answer to
// COMMIT is lost, the batch is "in doubt": its changes are neither acknowledged nor refused until
// a lookup of their request keys (one unique key per change, chosen here) says whether the commit
// happened, which is retried for up to 10 s; then they fail with kUnavailable.
//
// Threading: Submit, Shutdown, Generation, BumpGeneration, WriteMetrics and metrics() are
// thread-safe. Completions run on the Executor given to Submit, which must outlive Shutdown.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/executor.h"
#include "base/metrics.h"
#include "base/result.h"
#include "store/newest_posts.h"
#include "store/postgres_backoff.h"
#include "store/postgres_connection.h"
#include "store/postgres_edit_notice.h"
#include "store/postgres_metrics.h"
#include "store/store.h"
#include "store/write_metrics.h"
#include "store/write_queue.h"

namespace fourdollar::store {

class PostgresWriter {
 public:
  using Limits = WriteQueue::Limits;

  // Takes a connection to a migrated database and starts the thread; `url` is used to
  // reconnect. `clock` stamps the posts and must outlive the writer.
  static Result<std::unique_ptr<PostgresWriter>> Start(std::string url, PgConnection db,
                                                       const Clock& clock, Limits limits);

  // Calls Shutdown().
  ~PostgresWriter();
  PostgresWriter(const PostgresWriter&) = delete;
  PostgresWriter& operator=(const PostgresWriter&) = delete;

  // Queues the change; `done` later runs on `loop` with the stored post or the error.
  void Submit(WriteRequest request, Executor& loop, std::function<void(Result<Post>)> done);

  // Stops taking posts, commits (or, PostgreSQL being down, fails) everything queued, settles a
  // batch in doubt, posts every completion, joins the thread. Idempotent.
  void Shutdown();

  uint64_t Generation() const { return newest_.Generation(); }
  // The newest posts, followed through this instance's commits (newest_posts.h).
  NewestPosts& newest() { return newest_; }
  uint64_t EditGeneration() const { return edits_.Generation(); }
  EditLog::Changes EditedSince(uint64_t since) const { return edits_.ChangedSince(since); }
  // For content committed elsewhere (another instance), or possibly missed. `edited`: the posts
  // edited or deleted (empty when posts were only added); nullopt when it is not known which,
  // if any. The newest posts are forgotten until read again.
  void BumpGeneration(const EditedPosts& edited) {
    if (!edited) return ForgetChanges();
    edits_.Record(*edited);
    TouchChanged();
    newest_.BumpUnknown();
  }
  // Store::ChangedUnixMs.
  int64_t ChangedUnixMs() const { return changed_unix_ms_.load(std::memory_order_relaxed); }

  PostgresMetrics& metrics() { return connection_metrics_; }
  // This instance's origin in the payloads of its notifications (postgres_edit_notice.h).
  const std::string& origin() const { return key_prefix_; }
  void WriteMetrics(MetricsWriter& out) const;

 private:
  // Any post may have changed (a notification missed, a commit in doubt): the edit log says so,
  // the generation moves and the newest posts are forgotten.
  void ForgetChanges() {
    edits_.RecordUnknown();
    TouchChanged();
    newest_.BumpUnknown();
  }
  // Raises the time of the last change to now, before the generation is bumped: now is at least
  // the commit's time here, and, for another instance's, when it was heard.
  void TouchChanged() {
    const int64_t now_unix_ms = clock_.NowUnixMs();
    int64_t changed = changed_unix_ms_.load(std::memory_order_relaxed);
    while (changed < now_unix_ms && !changed_unix_ms_.compare_exchange_weak(
                                        changed, now_unix_ms, std::memory_order_relaxed)) {
    }
  }

  // A batch whose COMMIT got no answer.
  struct InDoubt {
    std::vector<PendingWrite> writes;
    std::vector<Result<Post>> outcomes;  // what each write did, were the commit to hold
    std::vector<std::string> keys;       // of the writes that changed something
    int64_t created_unix_ms = 0;
    int64_t give_up_ns = 0;
  };

  PostgresWriter(std::string url, PgConnection db, const Clock& clock, Limits limits,
                 std::string key_prefix);
  void Run();
  // Connects when not connected, unless the backoff says to wait (then kUnavailable at once).
  Status EnsureConnected(bool ignore_backoff);
  void CommitBatch(std::vector<PendingWrite>& batch);
  // Inserts the batch's new posts, then applies its edits and deletes in order; each write's
  // outcome goes to `outcomes`, and the key of each that changed something to `keys`. An error
  // returned fails the whole batch.
  Status WriteBatch(std::vector<PendingWrite>& batch, int64_t now_unix_ms,
                    std::vector<Result<Post>>& outcomes, std::vector<std::string>& keys);
  Status WriteChange(WriteRequest& request, int64_t now_unix_ms, Result<Post>& outcome,
                     std::vector<std::string>& keys);
  // Completes every write of a committed batch and bumps the generations; `edited` is
  // EditedIds of the batch.
  void Acknowledge(std::vector<PendingWrite>& writes, std::vector<Result<Post>>& outcomes,
                   const std::vector<int64_t>& edited);
  // Settles in_doubt_ if the database can say; `final` gives up when it cannot.
  void ResolveInDoubt(bool final);
  void Fail(std::vector<PendingWrite>& writes, const Error& error);
  std::string NextKey();

  const std::string url_;
  PgConnection db_;  // writer thread only
  const Clock& clock_;
  const Limits limits_;
  const std::string key_prefix_;
  uint64_t key_counter_ = 0;          // writer thread only
  int64_t last_created_unix_ms_ = 0;  // writer thread only
  ReconnectBackoff backoff_;          // writer thread only
  std::optional<InDoubt> in_doubt_;   // writer thread only

  NewestPosts newest_;                       // and the content generation
  std::atomic<int64_t> changed_unix_ms_{0};  // raised before each bump of the generation
  EditLog edits_;
  store::WriteMetrics metrics_;
  PostgresMetrics connection_metrics_;
  WriteQueue queue_;
  std::once_flag join_once_;
  std::thread thread_;
};

}  // namespace fourdollar::store
