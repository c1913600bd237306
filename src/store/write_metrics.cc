#include "store/write_metrics.h"

namespace fourdollar::store {

void WriteMetrics::RecordBatch(size_t posts, double seconds, bool committed) {
  batch_size_.Observe(static_cast<double>(posts));
  commit_seconds_.Observe(seconds);
  if (committed) {
    posts_stored_.Add(posts);
  } else {
    failures_.Add(posts);
  }
}

void WriteMetrics::WriteTo(MetricsWriter& out) const {
  out.Single("fourdollar_posts_stored_total", "counter",
             "Posts created, edited or deleted, committed to the store.",
             static_cast<double>(posts_stored_.Get()));
  WriteHistogram(out, "fourdollar_write_batch_size", "Posts per write transaction.", batch_size_);
  out.Single("fourdollar_write_queue_depth", "gauge", "Posts waiting for the writer.",
             static_cast<double>(queue_depth_.load(std::memory_order_relaxed)));
  WriteHistogram(out, "fourdollar_write_commit_seconds",
                 "Time of one write transaction, from BEGIN to the end of COMMIT.",
                 commit_seconds_);
  out.Single("fourdollar_write_failures_total", "counter", "Posts whose write transaction failed.",
             static_cast<double>(failures_.Get()));
  out.Single("fourdollar_write_disk_full_total", "counter",
             "Posts whose write transaction failed because the disk was full (answered 507).",
             static_cast<double>(disk_full_.Get()));
  out.Single("fourdollar_write_rejected_total", "counter",
             "Inserts turned away because the write queue was full or the store stopping.",
             static_cast<double>(rejected_.load(std::memory_order_relaxed)));
}

}  // namespace fourdollar::store
