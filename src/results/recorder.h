// What the load generator measures, recorded per thread and merged once per second.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "results/histogram.h"

namespace fourdollar::results {

// Why a request failed; kNone for a success. A request is failed when it could not complete
// (connect, timeout, reset, parse), when its status is >= 400 (status), when a check on it
// failed (check), or when its connection's TLS handshake failed: the server's certificate was
// refused (tls_verification: expired, wrong host name, unknown CA), the handshake did not end
// within the request's timeout (tls_handshake_timeout), or anything else (tls_protocol).
enum class FailureKind {
  kNone,
  kConnect,
  kTimeout,
  kReset,
  kParse,
  kStatus,
  kCheck,
  kTlsVerification,
  kTlsHandshakeTimeout,
  kTlsProtocol
};
inline constexpr size_t kFailureKinds = 10;
const char* FailureKindName(FailureKind kind);

// k6's phases of one request, in microseconds: they add up to its duration. blocked is the
// time before the connection was begun (with the open model, the wait for a free VU too);
// connecting and tls_handshaking are 0 on a connection that served before.
struct RequestPhases {
  int64_t blocked_us = 0;
  int64_t connecting_us = 0;
  int64_t tls_handshaking_us = 0;
  int64_t sending_us = 0;
  int64_t waiting_us = 0;
  int64_t receiving_us = 0;
};

// k6's names of the phases, in RequestPhases' order: http_req_blocked, http_req_connecting,
// http_req_tls_handshaking, http_req_sending, http_req_waiting, http_req_receiving.
inline constexpr size_t kPhases = 6;
const char* PhaseMetricName(size_t phase);
// The phase'th member of `phases` (0 is blocked_us).
int64_t PhaseUs(const RequestPhases& phases, size_t phase);

// One completed request (or hop of a redirect chain), as the engine reports it.
struct RequestSample {
  uint32_t name_index = 0;    // index into the run's request names (Step::name values)
  int64_t start_unix_us = 0;  // when it was sent (open model: when it was meant to start)
  int64_t duration_us = 0;    // to the last byte of the response (or to the failure)
  int status = 0;             // 0 when no response
  FailureKind failure = FailureKind::kNone;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  RequestPhases phases;
  bool tls_handshake = false;  // a TLS handshake was made for this request: full or resumed
  bool tls_resumed = false;    // ... and it resumed a session
  // The connection's TLS version as k6 names it ("tls1.3"), a literal; "" over plain HTTP.
  std::string_view tls_version;
};

// The figures of one second of one thread: per name, counts and a sparse histogram.
struct NameSecond {
  LatencyHistogram duration;  // of every request of that name in that second
  uint64_t requests = 0;
  std::array<uint64_t, kFailureKinds> failures{};  // by FailureKind
  std::map<int, uint64_t> by_status;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  std::array<LatencyHistogram, kPhases> phases;  // k6's phases of the same requests
  uint64_t tls_full_handshakes = 0;              // requests that made a full TLS handshake
  uint64_t tls_resumed_handshakes = 0;           // ... and that resumed a session

  uint64_t failed() const;  // requests with any failure kind
  // Adds other's figures (histograms merge exactly).
  void Merge(const NameSecond& other);
  bool operator==(const NameSecond& other) const = default;
};

struct SecondData {
  int64_t second = 0;  // whole seconds since the run started
  std::map<uint32_t, NameSecond> names;
  uint64_t iterations = 0;          // completed iterations
  uint64_t dropped_iterations = 0;  // open model: could not start for lack of a VU
  uint64_t checks_passed = 0;
  uint64_t checks_failed = 0;
  double active_vus = 0;    // at the end of the second (this thread's)
  double offered_rate = 0;  // open model: iterations per second asked (this thread's)

  // Adds other's figures: counts, names and the load (VUs and rates of threads add up).
  // The second is not compared: the caller merges data of the same second.
  void Merge(const SecondData& other);
  bool operator==(const SecondData& other) const = default;
};

// One per load thread; not thread-safe. The engine records; once a second the thread hands
// the finished seconds over (to the thread that merges them) with TakeBefore.
// A request counts in the second in which it completed (start_unix_us + duration_us), the
// other events in the second of `now_unix_us`; seconds are floor((t - run start) / 1 s).
// Copying a recorder is a mistake (figures would be counted twice), so it is move-only.
class Recorder {
 public:
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  Recorder(Recorder&& other) noexcept;
  Recorder& operator=(Recorder&& other) noexcept;

  explicit Recorder(int64_t run_start_unix_us) : run_start_unix_us_(run_start_unix_us) {}
  void Record(const RequestSample& sample);
  void CountIteration(int64_t now_unix_us);
  void CountDropped(int64_t now_unix_us);
  void CountCheck(int64_t now_unix_us, bool passed);
  void SetLoad(int64_t now_unix_us, double active_vus, double offered_rate);
  // Moves out every second that ended before `second` (all of them with INT64_MAX).
  std::vector<SecondData> TakeBefore(int64_t second);
  // Keeps the first message of each failure kind, for the summary.
  void NoteFailure(FailureKind kind, const std::string& message) {
    std::string& first = first_failures_[static_cast<size_t>(kind)];
    if (first.empty()) first = message;
  }
  // By FailureKind; empty where none was noted.
  const std::array<std::string, kFailureKinds>& first_failures() const { return first_failures_; }

 private:
  SecondData& At(int64_t unix_us);
  int64_t run_start_unix_us_;
  std::map<int64_t, SecondData> seconds_;
  // The second most recently used, so most events skip the map lookup. Map nodes are stable.
  int64_t cached_second_ = 0;
  SecondData* cached_ = nullptr;
  std::array<std::string, kFailureKinds> first_failures_;
};

}  // namespace fourdollar::results
