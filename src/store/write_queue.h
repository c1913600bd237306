// The bounded queue in front of a store's single writer thread: loops submit posts, the writer
// takes them in groups (group commit) and completes each one on the loop that submitted it.
// Shared by the SQLite and PostgreSQL writers.
//
// Threading: Submit, Stop and every metrics call are thread-safe; TakeBatch is called by the one
// writer thread. Completions run on the Executor given to Submit, which must outlive the queue's
// last completion.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "base/executor.h"
#include "base/result.h"
#include "store/store.h"
#include "store/write_metrics.h"

namespace fourdollar::store {

// One change waiting for its commit, and where to report the outcome.
struct PendingWrite {
  WriteRequest request;
  Executor* loop = nullptr;
  std::function<void(Result<Post>)> done;
  int64_t queued_ns = 0;  // MonotonicNowNs() at Submit
};

// Posts `result` to the write's loop, where its `done` runs. Consumes `done`.
void CompleteWrite(PendingWrite& write, Result<Post> result);

// The ids of the posts a committed batch edited or deleted: `outcomes[i]` is what `writes[i]`
// did (an error: nothing).
std::vector<int64_t> EditedIds(std::span<const PendingWrite> writes,
                               std::span<const Result<Post>> outcomes);

class WriteQueue {
 public:
  // How long a batch may wait, from its first post, for posts that come on their own (Fill).
  static constexpr int64_t kGatherNs = 4'000'000;

  struct Limits {
    size_t max_queued_writes = 0;          // Submit refuses with kUnavailable beyond it; at least 1
    size_t max_batch = 0;                  // posts handed out per TakeBatch at most; at least 1
    int64_t gather_window_ns = kGatherNs;  // Fill's window; 0 never gathers
  };

  // kInvalidArgument when a limit is 0 or the gather window negative.
  static Status CheckLimits(const Limits& limits);

  // `metrics` receives the queue depth and refusals and must outlive the queue.
  WriteQueue(Limits limits, WriteMetrics& metrics) : limits_(limits), metrics_(metrics) {}
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Queues the post, or, when the queue is full or stopped, posts `done` to `loop` at once with
  // kUnavailable.
  void Submit(WriteRequest request, Executor& loop, std::function<void(Result<Post>)> done);

  enum class Take { kTaken, kTimedOut, kStopped };
  // Moves up to max_batch queued posts into `batch` (appending). Waits while the queue is empty:
  // without a timeout until a post arrives or Stop; with one, at most `timeout_ms`. kStopped
  // only once stopped and empty: everything submitted has been handed out.
  Take TakeBatch(std::vector<PendingWrite>& batch, std::optional<int64_t> timeout_ms);

  // Waits at most `wait_us` for the queue to hold `count` posts (not at all when it does, or
  // once stopped), then moves what it holds into `batch`, up to max_batch in all.
  void TopUp(std::vector<PendingWrite>& batch, size_t count, int64_t wait_us);

  // Before TakeBatch, for writers that come back together: clients that each wait for their
  // answer, answered at once by the last commit, send their next posts at about the same time,
  // a round trip or two after it. Waits at most `wait_us` for `count` posts (the last batch's
  // size) to be queued, so that the writer wakes once when they all are, rather than at the
  // first and again when the top-up is full (each wake a context switch, on the loop's CPU when
  // there is only one). Returns at once when `count` is at most 1, while gathering (posts that
  // come on their own: Fill waits for them), or once stopped. Writer thread only.
  static constexpr int64_t kAwaitUs = 3'000;
  void Await(size_t count, int64_t wait_us);

  // For writes that arrive independently of each other (visitors, not a fixed set of clients
  // that each wait for their answer): while one keeps coming within `max_gap_ns` of the last,
  // moves it into `batch`, until `window_ns` after the batch's first write was queued or
  // max_batch. Returns at once when `batch` is empty or the window is over: kOver when it did
  // not wait at all, else whether any post came.
  enum class Gathered { kOver, kSome, kNone };
  Gathered Gather(std::vector<PendingWrite>& batch, int64_t window_ns, int64_t max_gap_ns);

  // The writers' batching, after TakeBatch: as many posts as can share one sync. When fewer are
  // queued than `last_batch` (the size of the batch committed before), TopUp for at most
  // kTopUpWaitUs, unless a gather follows (it waits for the same posts, and longer). Then, when
  // posts come less than the gather window (Limits) apart on average, Gather them until the window
  // ends, from the batch's first post, so that a commit's CPU is shared by the posts of the whole
  // window (docs/benchmarks.md, "A longer gathering"). While posts come on their own the writer
  // sleeps through the window at once (a full batch wakes it early) rather than waking at each gap
  // to see whether one came: at these rates one nearly always did, and each look cost a context
  // switch, on the loop's CPU when there is only one (docs/benchmarks.md, "One sleep per gather").
  // Only while gathering pays: when most of the last gathers found nothing (a fixed set of clients
  // that each wait for their answer sends nothing more before the commit), the writer gathers only
  // at every kGatherProbeEvery-th batch, to notice when posts start to come on their own; such a
  // probe ends at the first gap of kGatherGaps mean gaps without a post (or of the batch's own gap
  // between its posts, when that is shorter: posts that came in a burst), so that it holds those
  // clients up briefly.
  static constexpr int64_t kTopUpWaitUs = 200;
  static constexpr int64_t kGatherGaps = 4;
  static constexpr int kGatherProbeEvery = 32;
  void Fill(std::vector<PendingWrite>& batch, size_t last_batch);
  // Whether Fill gathers at every batch (posts came during most of its last gathers) rather
  // than only at every kGatherProbeEvery-th. Writer thread only.
  bool gathering() const { return gather_score_ >= kGatherScoreFull / 2; }

  // The mean time between two submissions, weighted towards the last few (each gap counts
  // 1/8, a gap longer than kGapCeilingNs as that), in nanoseconds; 0 before the second one.
  static constexpr int64_t kGapCeilingNs = 10'000'000;
  int64_t MeanGapNs() const;

  // Refuses later posts; posts already queued are still handed out.
  void Stop();
  bool stopped() const;

 private:
  const Limits limits_;
  WriteMetrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // Moves queued posts into `batch`, up to max_batch in all. Needs mutex_.
  void MoveQueued(std::vector<PendingWrite>& batch);
  // Sleeps until the queue holds `count` posts, at most `wait_us`, or until stopped; Submit
  // wakes it only at the count (TopUp, Await). `lock` holds mutex_.
  void WaitForQueued(std::unique_lock<std::mutex>& lock, size_t count, int64_t wait_us);

  std::deque<PendingWrite> queue_;  // guarded by mutex_
  // The queue length at which Submit wakes the writer: 1 while it waits for any post, more
  // while it tops a batch up, none while it gathers (it wakes at its own deadline). Each wake
  // costs the writer a context switch, on the loop's CPU when there is only one.
  size_t wake_at_ = 1;          // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  int64_t last_submit_ns_ = 0;  // guarded by mutex_
  int64_t mean_gap_ns_ = 0;     // guarded by mutex_
  // The writer thread's own (Fill): how often the last gathers found a post, from 0 (never) to
  // kGatherScoreFull (always), each gather counting 1/4; batches since the last gather.
  static constexpr int kGatherScoreFull = 256;
  int gather_score_ = kGatherScoreFull;
  int batches_since_gather_ = 0;
};

}  // namespace fourdollar::store
