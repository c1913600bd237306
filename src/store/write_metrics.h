// The write path's figures: posts stored, batch sizes, queue depth, commit time, failures.
//
// Threading: RecordBatch and CountDiskFull are called by the single writer thread; SetQueueDepth
// and CountRejected by any thread (they use atomic read-modify-write); WriteTo by any thread at any
// time, seeing each figure at some recent value.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "base/metrics.h"

namespace fourdollar::store {

// Upper bounds of the batch-size histogram buckets, in posts.
inline constexpr std::array<double, 11> kBatchSizeBuckets = {1,  2,   4,   8,   16,  32,
                                                             64, 128, 256, 512, 1024};

class WriteMetrics {
 public:
  WriteMetrics() = default;
  WriteMetrics(const WriteMetrics&) = delete;
  WriteMetrics& operator=(const WriteMetrics&) = delete;

  // One write transaction of `posts` posts that took `seconds` and committed or failed.
  void RecordBatch(size_t posts, double seconds, bool committed);
  void SetQueueDepth(size_t posts) { queue_depth_.store(posts, std::memory_order_relaxed); }
  // Posts of a failed transaction (already counted by RecordBatch) that failed because the disk
  // was full.
  void CountDiskFull(size_t posts) { disk_full_.Add(posts); }
  // An Insert turned away because the queue was full or the store shutting down.
  void CountRejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }

  void WriteTo(MetricsWriter& out) const;

 private:
  SingleWriterCounter posts_stored_;
  SingleWriterCounter failures_;
  SingleWriterCounter disk_full_;
  SingleWriterHistogram<kBatchSizeBuckets.size()> batch_size_{kBatchSizeBuckets};
  SingleWriterHistogram<kLatencyBucketsSeconds.size()> commit_seconds_{kLatencyBucketsSeconds};
  std::atomic<uint64_t> queue_depth_{0};
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace fourdollar::store
