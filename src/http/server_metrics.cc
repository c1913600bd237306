#include "http/server_metrics.h"

namespace fourdollar::http {

ServerMetrics::ServerMetrics(size_t route_count) {
  for (size_t i = 0; i <= route_count; ++i) slots_.push_back(std::make_unique<Slot>());
}

void ServerMetrics::CountRequest(size_t slot, Method method, int status, double seconds) {
  if (status < 100 || status > 599) status = 599;
  Slot& s = *slots_[slot];
  s.requests[static_cast<size_t>(method) * kStatuses + static_cast<size_t>(status - 100)].Add();
  s.latency.Observe(seconds);
}

void WriteServerMetrics(std::span<const ServerMetrics* const> threads,
                        const std::vector<std::string>& route_names, MetricsWriter& out) {
  if (threads.empty()) return;
  const size_t slot_count = threads[0]->slots_.size();
  auto route_label = [&](size_t slot) {
    return slot + 1 == slot_count || slot >= route_names.size() ? std::string("unmatched")
                                                                : route_names[slot];
  };
  out.Family("fourdollar_http_requests_total", "counter",
             "HTTP requests answered, by route, method and status.");
  for (size_t slot = 0; slot < slot_count; ++slot) {
    for (size_t m = 0; m < ServerMetrics::kMethods; ++m) {
      for (size_t st = 0; st < ServerMetrics::kStatuses; ++st) {
        uint64_t total = 0;
        for (const ServerMetrics* t : threads) {
          total += t->slots_[slot]->requests[m * ServerMetrics::kStatuses + st].Get();
        }
        if (total == 0) continue;
        std::string labels = "route=\"" + route_label(slot) + "\",method=\"" +
                             std::string(MethodName(static_cast<Method>(m))) + "\",status=\"" +
                             std::to_string(st + 100) + "\"";
        out.Sample("fourdollar_http_requests_total", labels, static_cast<double>(total));
      }
    }
  }
  out.Family("fourdollar_http_request_duration_seconds", "histogram",
             "Time from a request's first byte to its response being queued for sending.");
  for (size_t slot = 0; slot < slot_count; ++slot) {
    std::array<uint64_t, kLatencyBucketsSeconds.size() + 1> counts{};
    double sum = 0;
    for (const ServerMetrics* t : threads) {
      const auto& h = t->slots_[slot]->latency;
      for (size_t i = 0; i < counts.size(); ++i) counts[i] += h.CountAt(i);
      sum += h.Sum();
    }
    out.Histogram("fourdollar_http_request_duration_seconds", "route=\"" + route_label(slot) + "\"",
                  kLatencyBucketsSeconds, counts, sum);
  }
  auto total = [&](auto member) {
    uint64_t sum = 0;
    for (const ServerMetrics* t : threads) sum += (t->*member).Get();
    return static_cast<double>(sum);
  };
  out.Single("fourdollar_http_open_connections", "gauge", "Client connections open now.",
             total(&ServerMetrics::open_connections));
  out.Single("fourdollar_http_connections_total", "counter", "Client connections accepted.",
             total(&ServerMetrics::accepted_connections));
  out.Single("fourdollar_http_accept_pauses_total", "counter",
             "Times new connections began to wait in the listen backlog, --max-connections "
             "being open and none idle long enough to close.",
             total(&ServerMetrics::accept_pauses));
  out.Single("fourdollar_http_evicted_connections_total", "counter",
             "Idle connections closed to make room for new ones at --max-connections.",
             total(&ServerMetrics::evicted_connections));
  out.Single("fourdollar_http_timed_out_connections_total", "counter",
             "Connections closed at their request deadline or idle timeout.",
             total(&ServerMetrics::timed_out_connections));
  out.Single("fourdollar_http_malformed_requests_total", "counter",
             "Requests that could not be parsed.", total(&ServerMetrics::malformed_requests));
  std::vector<const TlsMetrics*> tls;
  for (const ServerMetrics* t : threads) tls.push_back(&t->tls);
  WriteTlsMetrics(tls, out);
}

}  // namespace fourdollar::http
