#include "http/tls_metrics.h"

#include <string>

namespace fourdollar::http {

std::string_view HandshakeFailureName(HandshakeFailure failure) {
  switch (failure) {
    case HandshakeFailure::kTimeout:
      return "timeout";
    case HandshakeFailure::kPlainHttp:
      return "plain_http";
    case HandshakeFailure::kProtocol:
      return "protocol";
    case HandshakeFailure::kClosed:
      return "closed";
    case HandshakeFailure::kBusy:
      return "busy";
  }
  return "protocol";
}

void TlsMetrics::CountHandshake(bool resumed, std::string_view version, double seconds) {
  (resumed ? resumed_handshakes : full_handshakes).Add();
  handshake_seconds.Observe(seconds);
  if (version == "TLSv1.3") {
    tls13_connections.Add();
  } else {
    tls12_connections.Add();
  }
}

void WriteTlsMetrics(std::span<const TlsMetrics* const> threads, MetricsWriter& out) {
  auto total = [&](auto get) {
    uint64_t sum = 0;
    for (const TlsMetrics* t : threads) sum += get(*t).Get();
    return static_cast<double>(sum);
  };
  constexpr std::string_view kHandshakes = "fourdollar_tls_handshakes_total";
  out.Family(kHandshakes, "counter",
             "TLS handshakes by outcome: full, resumed, or failed with a reason.");
  out.Sample(kHandshakes, "outcome=\"full\"",
             total([](const TlsMetrics& t) -> auto& { return t.full_handshakes; }));
  out.Sample(kHandshakes, "outcome=\"resumed\"",
             total([](const TlsMetrics& t) -> auto& { return t.resumed_handshakes; }));
  for (size_t i = 0; i < kHandshakeFailures; ++i) {
    std::string labels = "outcome=\"failed\",reason=\"" +
                         std::string(HandshakeFailureName(static_cast<HandshakeFailure>(i))) + "\"";
    out.Sample(kHandshakes, labels,
               total([i](const TlsMetrics& t) -> auto& { return t.failures[i]; }));
  }
  constexpr std::string_view kDuration = "fourdollar_tls_handshake_duration_seconds";
  out.Family(kDuration, "histogram", "From a TLS connection's acceptance to its handshake's end.");
  std::array<uint64_t, kLatencyBucketsSeconds.size() + 1> counts{};
  double sum = 0;
  for (const TlsMetrics* t : threads) {
    for (size_t i = 0; i < counts.size(); ++i) counts[i] += t->handshake_seconds.CountAt(i);
    sum += t->handshake_seconds.Sum();
  }
  out.Histogram(kDuration, "", kLatencyBucketsSeconds, counts, sum);
  constexpr std::string_view kConnections = "fourdollar_tls_connections_total";
  out.Family(kConnections, "counter", "TLS connections established, by protocol version.");
  out.Sample(kConnections, "version=\"TLSv1.2\"",
             total([](const TlsMetrics& t) -> auto& { return t.tls12_connections; }));
  out.Sample(kConnections, "version=\"TLSv1.3\"",
             total([](const TlsMetrics& t) -> auto& { return t.tls13_connections; }));
  constexpr std::string_view kKernel = "fourdollar_tls_kernel_connections_total";
  out.Family(kKernel, "counter",
             "TLS connections whose records the kernel seals (send) or opens (receive): kernel "
             "TLS engaged (--tls-ktls and the kernel's tls module).");
  out.Sample(kKernel, "direction=\"send\"",
             total([](const TlsMetrics& t) -> auto& { return t.kernel_send_connections; }));
  out.Sample(kKernel, "direction=\"receive\"",
             total([](const TlsMetrics& t) -> auto& { return t.kernel_receive_connections; }));
}

}  // namespace fourdollar::http
