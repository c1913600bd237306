// Hostile HTTP clients on the project's event loop, for end-to-end tests and benchmarks: slow
// drips, idle connections, connection floods, pipelined floods, requests cut half-way and
// connections reset mid-exchange, over plain TCP or TLS. A run is bounded in connections and in
// time, and closes everything it opened before it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/tcp.h"
#include "net/tls_context.h"

namespace fourdollar::hostile {

enum class Mode {
  kSlowDrip,  // each connection sends its requests one byte every drip_interval_ms
  kIdle,      // connections opened and held, nothing sent
  kFlood,     // connect, send nothing or half a request, close; again at once
  kPipeline,  // pipeline_depth GET requests per write, as fast as the server takes them; half
              // the connections read pipeline_read_bytes_per_s, the other half never read
  kHalf,      // a request cut in its head or its body, then a normal close
  kReset,     // a reset (SO_LINGER 0) mid-request, right after a request, or mid-response
};

// How slow-drip connections drip over TLS.
enum class TlsDrip {
  kBoth,           // even connections kPartialRecord, odd ones kRecordPerByte
  kPartialRecord,  // the request sealed in one record whose bytes go one at a time
  kRecordPerByte,  // each byte of the request in a record of its own: a partial request in TLS
};

// "slow-drip", "idle", "flood", "pipeline", "half", "reset".
Result<Mode> ParseMode(std::string_view name);
std::string_view ModeName(Mode mode);

struct HostileOptions {
  Mode mode = Mode::kIdle;
  net::Endpoint target;
  int64_t duration_ms = 10000;
  // Connections held open at once (slow-drip, idle, pipeline) or cycling at once (flood, half,
  // reset); 0 takes the mode's default: 1000, 10000, 64, 8, 64, 64.
  size_t connections = 0;
  // Connects in progress at once, so the listen backlog is not the first thing that breaks.
  size_t max_connects_in_flight = 256;
  int64_t drip_interval_ms = 100;
  size_t pipeline_depth = 1000;
  size_t pipeline_read_bytes_per_s = 64 * 1024;
  // A connection the server closed is opened again after this long (slow-drip, idle, pipeline).
  int64_t reconnect_delay_ms = 100;
  // Where the GET requests go. /healthz keeps them apart from the pages a normal load reads.
  std::string path = "/healthz";
  // With a token, cut and reset POST / requests pass the route's checks and reach the body
  // (and the reset ones with a whole body are stored); without one they are refused with 401.
  std::string write_token;
  // Set: every connection speaks TLS with this client context; each mode starts once the
  // handshake is done, but for flood, whose even connections leave after their ClientHello.
  std::shared_ptr<const net::TlsContext> tls;
  std::string server_name = "localhost";  // SNI and the name verified
  TlsDrip tls_drip = TlsDrip::kBoth;
};

struct HostileReport {
  Mode mode = Mode::kIdle;
  uint64_t connects = 0;   // connects started
  uint64_t connected = 0;  // connects that completed
  uint64_t connect_failures = 0;
  uint64_t closed_by_server = 0;  // end of stream or reset seen before we closed
  uint64_t closed_by_us = 0;      // normal close
  uint64_t reset_by_us = 0;       // SO_LINGER 0 close
  uint64_t peak_open = 0;         // connections established at once, at most
  uint64_t bytes_sent = 0;        // on the socket: TLS records with TLS
  uint64_t bytes_received = 0;    // on the socket
  uint64_t handshakes = 0;        // TLS handshakes completed
  uint64_t handshake_failures = 0;
  std::map<int, uint64_t> statuses;  // responses seen, by status
  int64_t elapsed_ms = 0;

  uint64_t responses() const;
  // One line: "mode=idle connects=... statuses=200:5,408:2 ...".
  std::string ToString() const;
};

// Runs `options` on the calling thread (an event loop of its own) until duration_ms have passed,
// then closes every connection. Errors only for what prevents the run (no event loop).
Result<HostileReport> RunHostile(const HostileOptions& options);

}  // namespace fourdollar::hostile
