// Request counts and latencies of one loop thread, summed over threads when /metrics is read.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/metrics.h"
#include "http/message.h"
#include "http/tls_metrics.h"

namespace fourdollar::http {

// Written by one loop thread, read by any thread.
class ServerMetrics {
 public:
  // One slot per route, plus one ("unmatched") for requests refused before a route was found.
  explicit ServerMetrics(size_t route_count);

  void CountRequest(size_t slot, Method method, int status, double seconds);
  size_t unmatched_slot() const { return slots_.size() - 1; }

  SingleWriterCounter open_connections;
  SingleWriterCounter accepted_connections;
  SingleWriterCounter accept_pauses;        // new connections began to wait at --max-connections
  SingleWriterCounter evicted_connections;  // idle, closed to make room under --max-connections
  SingleWriterCounter timed_out_connections;
  SingleWriterCounter malformed_requests;
  TlsMetrics tls;

 private:
  friend void WriteServerMetrics(std::span<const ServerMetrics* const>,
                                 const std::vector<std::string>&, MetricsWriter&);
  static constexpr size_t kMethods = 8;
  static constexpr size_t kStatuses = 500;  // 100..599
  struct Slot {
    Slot() : latency(kLatencyBucketsSeconds) {}
    std::array<SingleWriterCounter, kMethods * kStatuses> requests;
    SingleWriterHistogram<kLatencyBucketsSeconds.size()> latency;
  };
  std::vector<std::unique_ptr<Slot>> slots_;
};

// Writes the sum over `threads` in Prometheus text. `route_names` has one name per route slot;
// the last slot is written as "unmatched".
void WriteServerMetrics(std::span<const ServerMetrics* const> threads,
                        const std::vector<std::string>& route_names, MetricsWriter& out);

}  // namespace fourdollar::http
