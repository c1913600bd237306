// The TLS figures of one loop thread's server: handshakes by outcome, their duration, and
// connections by protocol version and by kernel TLS engaged. Summed over threads when /metrics is
// read.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "base/metrics.h"

namespace fourdollar::http {

// Why a server-side handshake did not complete. A fixed set, so the metric's labels stay few.
enum class HandshakeFailure {
  kTimeout,    // not finished within the handshake timeout (a partial ClientHello held open)
  kPlainHttp,  // the first byte was not a TLS record: plain HTTP sent to the TLS port
  kProtocol,   // OpenSSL refused it: versions, ciphers, alerts, garbage
  kClosed,     // the client left in the middle
  kBusy,       // too many handshakes in progress: closed on arrival
};
inline constexpr size_t kHandshakeFailures = 5;
std::string_view HandshakeFailureName(HandshakeFailure failure);

// Written by one loop thread, read by any thread.
class TlsMetrics {
 public:
  TlsMetrics() : handshake_seconds(kLatencyBucketsSeconds) {}

  void CountFailure(HandshakeFailure failure) { failures[static_cast<size_t>(failure)].Add(); }
  // A completed handshake, `seconds` from the connection's acceptance.
  void CountHandshake(bool resumed, std::string_view version, double seconds);

  SingleWriterCounter full_handshakes;
  SingleWriterCounter resumed_handshakes;
  std::array<SingleWriterCounter, kHandshakeFailures> failures;
  SingleWriterHistogram<kLatencyBucketsSeconds.size()> handshake_seconds;
  SingleWriterCounter tls12_connections;
  SingleWriterCounter tls13_connections;
  // Connections whose records the kernel seals (kTLS send) and opens (kTLS receive).
  SingleWriterCounter kernel_send_connections;
  SingleWriterCounter kernel_receive_connections;
};

// Writes the sum over `threads` in Prometheus text.
void WriteTlsMetrics(std::span<const TlsMetrics* const> threads, MetricsWriter& out);

}  // namespace fourdollar::http
