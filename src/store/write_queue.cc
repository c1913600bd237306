#include "store/write_queue.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "base/clock.h"

namespace fourdollar::store {

void CompleteWrite(PendingWrite& write, Result<Post> result) {
  write.loop->Post([done = std::move(write.done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

std::vector<int64_t> EditedIds(std::span<const PendingWrite> writes,
                               std::span<const Result<Post>> outcomes) {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < writes.size(); ++i) {
    if (outcomes[i] && writes[i].request.kind != WriteRequest::Kind::kInsert) {
      ids.push_back(outcomes[i]->id);
    }
  }
  return ids;
}

Status WriteQueue::CheckLimits(const Limits& limits) {
  if (limits.max_queued_writes == 0 || limits.max_batch == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "store write limits must be at least 1 (max_queued_writes, max_batch)");
  }
  if (limits.gather_window_ns < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "store gather window must not be negative");
  }
  return {};
}

void WriteQueue::Submit(WriteRequest request, Executor& loop,
                        std::function<void(Result<Post>)> done) {
  const char* refusal = nullptr;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refusal = "store is shutting down";
    } else if (queue_.size() >= limits_.max_queued_writes) {
      refusal = "write queue is full";
    } else {
      const int64_t now = MonotonicNowNs();
      if (last_submit_ns_ != 0) {
        const int64_t gap = std::min(now - last_submit_ns_, kGapCeilingNs);
        mean_gap_ns_ = mean_gap_ns_ == 0 ? gap : mean_gap_ns_ + (gap - mean_gap_ns_) / 8;
      }
      last_submit_ns_ = now;
      queue_.push_back(PendingWrite{std::move(request), &loop, std::move(done), now});
      metrics_.SetQueueDepth(queue_.size());
      wake = queue_.size() >= wake_at_;
    }
  }
  if (refusal == nullptr) {
    if (wake) wake_.notify_one();
    return;
  }
  metrics_.CountRejected();
  PendingWrite rejected{WriteRequest{}, &loop, std::move(done)};
  CompleteWrite(rejected, MakeError(ErrorCode::kUnavailable, refusal));
}

WriteQueue::Take WriteQueue::TakeBatch(std::vector<PendingWrite>& batch,
                                       std::optional<int64_t> timeout_ms) {
  std::unique_lock lock(mutex_);
  auto ready = [this] { return !queue_.empty() || stopping_; };
  wake_at_ = 1;
  if (timeout_ms) {
    if (!wake_.wait_for(lock, std::chrono::milliseconds(*timeout_ms), ready)) {
      return Take::kTimedOut;
    }
  } else {
    wake_.wait(lock, ready);
  }
  if (queue_.empty()) return Take::kStopped;
  MoveQueued(batch);
  return Take::kTaken;
}

void WriteQueue::WaitForQueued(std::unique_lock<std::mutex>& lock, size_t count, int64_t wait_us) {
  wake_at_ = count;  // not woken for each post before the last one awaited
  wake_.wait_for(lock, std::chrono::microseconds(wait_us),
                 [&] { return queue_.size() >= count || stopping_; });
}

void WriteQueue::TopUp(std::vector<PendingWrite>& batch, size_t count, int64_t wait_us) {
  std::unique_lock lock(mutex_);
  WaitForQueued(lock, count, wait_us);
  MoveQueued(batch);
}

void WriteQueue::Await(size_t count, int64_t wait_us) {
  if (count <= 1 || gathering()) return;
  std::unique_lock lock(mutex_);
  WaitForQueued(lock, count, wait_us);
}

WriteQueue::Gathered WriteQueue::Gather(std::vector<PendingWrite>& batch, int64_t window_ns,
                                        int64_t max_gap_ns) {
  if (batch.empty()) return Gathered::kOver;
  const size_t first_held = batch.size();
  bool waited = false;
  const int64_t end_ns = batch.front().queued_ns + window_ns;
  std::unique_lock lock(mutex_);
  // The writer sleeps until the newest write it holds is `max_gap_ns` old (or the window ends)
  // rather than waking for each arrival, then takes what came meanwhile: the same batch at the
  // same moment, with one wake per gap instead of one per post. A full batch wakes it early.
  while (batch.size() < limits_.max_batch && !stopping_) {
    const int64_t deadline_ns = std::min(end_ns, batch.back().queued_ns + max_gap_ns);
    const int64_t wait_ns = deadline_ns - MonotonicNowNs();
    if (wait_ns <= 0) break;
    const size_t room = limits_.max_batch - batch.size();
    wake_at_ = room;
    waited = true;
    wake_.wait_for(lock, std::chrono::nanoseconds(wait_ns),
                   [&] { return queue_.size() >= room || stopping_; });
    const size_t held = batch.size();
    MoveQueued(batch);
    if (batch.size() == held) break;  // none came within the gap: the rest would likely not
  }
  if (batch.size() > first_held) return Gathered::kSome;
  return waited ? Gathered::kNone : Gathered::kOver;
}

void WriteQueue::Fill(std::vector<PendingWrite>& batch, size_t last_batch) {
  // Writers that do not wait for each other (visitors arriving on their own) keep coming while
  // a batch waits, and each commit has a fixed price (its CPU: docs/benchmarks.md, "What a
  // commit costs"): a post's answer is at most the window later and the commit is shared by
  // more. Slower trickles never wait.
  const int64_t window_ns = limits_.gather_window_ns;
  const int64_t mean_gap_ns = MeanGapNs();
  const bool trickle = mean_gap_ns <= 0 || mean_gap_ns >= window_ns;
  // Group commit: the writers of one commit get their answers at the same moment and send their
  // next posts together; when fewer are queued than the last commit served, the others are
  // waited for a little, so that one sync serves them all again. Not while posts come on their
  // own: the gather below waits for them to the window's end, and a top-up before it would only
  // wake the writer once more.
  if (batch.size() < last_batch && (trickle || !gathering())) {
    TopUp(batch, last_batch - batch.size(), kTopUpWaitUs);
  }
  if (batch.empty() || batch.size() >= limits_.max_batch || trickle) return;
  if (!gathering() && ++batches_since_gather_ < kGatherProbeEvery) return;
  batches_since_gather_ = 0;
  // A gap as long as the window: Gather sleeps until the window ends, or the batch is full.
  int64_t max_gap_ns = window_ns;
  if (!gathering()) {
    int64_t gap_ns = mean_gap_ns;
    if (batch.size() >= 2) {
      const int64_t span_ns = batch.back().queued_ns - batch.front().queued_ns;
      gap_ns = std::min(gap_ns, span_ns / static_cast<int64_t>(batch.size() - 1));
    }
    max_gap_ns = kGatherGaps * gap_ns;
  }
  // A batch that waited past the gap already (while the commit before it ran) does not count.
  const Gathered gathered = Gather(batch, window_ns, max_gap_ns);
  if (gathered == Gathered::kOver) return;
  gather_score_ += ((gathered == Gathered::kSome ? kGatherScoreFull : 0) - gather_score_) / 4;
}

int64_t WriteQueue::MeanGapNs() const {
  std::lock_guard lock(mutex_);
  return mean_gap_ns_;
}

void WriteQueue::MoveQueued(std::vector<PendingWrite>& batch) {
  size_t room = limits_.max_batch > batch.size() ? limits_.max_batch - batch.size() : 0;
  size_t take = std::min(queue_.size(), room);
  for (size_t i = 0; i < take; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  metrics_.SetQueueDepth(queue_.size());
}

void WriteQueue::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

bool WriteQueue::stopped() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace fourdollar::store
