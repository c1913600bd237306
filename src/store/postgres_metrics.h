// The PostgreSQL store's connection figures: the read connections open (the pool), which
// long-lived connections are up, reconnections, notifications and batches whose commit outcome
// had to be looked up.
//
// Threading: every method is thread-safe (relaxed atomics); WriteTo sees each figure at some
// recent value.
#pragma once

#include <atomic>
#include <cstdint>

#include "base/metrics.h"

namespace fourdollar::store {

class PostgresMetrics {
 public:
  enum class Link { kWriter, kListener, kRead };
  enum class InDoubt { kStored, kNotStored, kUnknown };

  PostgresMetrics() = default;
  PostgresMetrics(const PostgresMetrics&) = delete;
  PostgresMetrics& operator=(const PostgresMetrics&) = delete;

  void ReadConnectionOpened() { read_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ReadConnectionClosed() { read_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void SetConnected(Link link, bool up);
  // A connection made again after it was lost or refused.
  void CountReconnect(Link link);
  void CountNotification() { notifications_.fetch_add(1, std::memory_order_relaxed); }
  void CountInDoubt(InDoubt outcome);

  void WriteTo(MetricsWriter& out) const;

 private:
  std::atomic<int64_t> read_connections_{0};
  std::atomic<bool> writer_connected_{false};
  std::atomic<bool> listener_connected_{false};
  std::atomic<uint64_t> writer_reconnects_{0};
  std::atomic<uint64_t> listener_reconnects_{0};
  std::atomic<uint64_t> read_reconnects_{0};
  std::atomic<uint64_t> notifications_{0};
  std::atomic<uint64_t> in_doubt_stored_{0};
  std::atomic<uint64_t> in_doubt_not_stored_{0};
  std::atomic<uint64_t> in_doubt_unknown_{0};
};

}  // namespace fourdollar::store
