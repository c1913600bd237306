#include "store/postgres_metrics.h"

namespace fourdollar::store {

namespace {

double Value(const std::atomic<uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

}  // namespace

void PostgresMetrics::SetConnected(Link link, bool up) {
  if (link == Link::kWriter) writer_connected_.store(up, std::memory_order_relaxed);
  if (link == Link::kListener) listener_connected_.store(up, std::memory_order_relaxed);
}

void PostgresMetrics::CountReconnect(Link link) {
  std::atomic<uint64_t>& counter = link == Link::kWriter     ? writer_reconnects_
                                   : link == Link::kListener ? listener_reconnects_
                                                             : read_reconnects_;
  counter.fetch_add(1, std::memory_order_relaxed);
}

void PostgresMetrics::CountInDoubt(InDoubt outcome) {
  std::atomic<uint64_t>& counter = outcome == InDoubt::kStored      ? in_doubt_stored_
                                   : outcome == InDoubt::kNotStored ? in_doubt_not_stored_
                                                                    : in_doubt_unknown_;
  counter.fetch_add(1, std::memory_order_relaxed);
}

void PostgresMetrics::WriteTo(MetricsWriter& out) const {
  out.Single("fourdollar_pg_read_connections", "gauge",
             "Read connections open to PostgreSQL, one per loop thread at most.",
             static_cast<double>(read_connections_.load(std::memory_order_relaxed)));
  out.Family("fourdollar_pg_connected", "gauge",
             "Whether the writer's and the listener's connections are up (1) or not (0).");
  out.Sample("fourdollar_pg_connected", "connection=\"writer\"",
             writer_connected_.load(std::memory_order_relaxed) ? 1 : 0);
  out.Sample("fourdollar_pg_connected", "connection=\"listener\"",
             listener_connected_.load(std::memory_order_relaxed) ? 1 : 0);
  out.Family("fourdollar_pg_reconnects_total", "counter",
             "Connections to PostgreSQL made again after one was lost or refused.");
  out.Sample("fourdollar_pg_reconnects_total", "connection=\"writer\"", Value(writer_reconnects_));
  out.Sample("fourdollar_pg_reconnects_total", "connection=\"listener\"",
             Value(listener_reconnects_));
  out.Sample("fourdollar_pg_reconnects_total", "connection=\"read\"", Value(read_reconnects_));
  out.Single("fourdollar_pg_notifications_total", "counter",
             "Notifications of new posts received (from this instance and others).",
             Value(notifications_));
  out.Family("fourdollar_pg_in_doubt_batches_total", "counter",
             "Write batches whose COMMIT got no answer, by what the lookup found afterwards.");
  out.Sample("fourdollar_pg_in_doubt_batches_total", "outcome=\"stored\"", Value(in_doubt_stored_));
  out.Sample("fourdollar_pg_in_doubt_batches_total", "outcome=\"not_stored\"",
             Value(in_doubt_not_stored_));
  out.Sample("fourdollar_pg_in_doubt_batches_total", "outcome=\"unknown\"",
             Value(in_doubt_unknown_));
}

}  // namespace fourdollar::store
