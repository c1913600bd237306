#include "results/recorder.h"

#include <algorithm>
#include <utility>

namespace fourdollar::results {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

const char* PhaseMetricName(size_t phase) {
  static constexpr const char* kNames[kPhases] = {"http_req_blocked",         "http_req_connecting",
                                                  "http_req_tls_handshaking", "http_req_sending",
                                                  "http_req_waiting",         "http_req_receiving"};
  return phase < kPhases ? kNames[phase] : "";
}

int64_t PhaseUs(const RequestPhases& phases, size_t phase) {
  const int64_t values[kPhases] = {phases.blocked_us,         phases.connecting_us,
                                   phases.tls_handshaking_us, phases.sending_us,
                                   phases.waiting_us,         phases.receiving_us};
  return phase < kPhases ? values[phase] : 0;
}

const char* FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone:
      return "none";
    case FailureKind::kConnect:
      return "connect";
    case FailureKind::kTimeout:
      return "timeout";
    case FailureKind::kReset:
      return "reset";
    case FailureKind::kParse:
      return "parse";
    case FailureKind::kStatus:
      return "status";
    case FailureKind::kCheck:
      return "check";
    case FailureKind::kTlsVerification:
      return "tls_verification";
    case FailureKind::kTlsHandshakeTimeout:
      return "tls_handshake_timeout";
    case FailureKind::kTlsProtocol:
      return "tls_protocol";
  }
  return "unknown";
}

uint64_t NameSecond::failed() const {
  uint64_t total = 0;
  for (size_t kind = 1; kind < kFailureKinds; ++kind) total += failures[kind];
  return total;
}

void NameSecond::Merge(const NameSecond& other) {
  duration.Merge(other.duration);
  requests += other.requests;
  for (size_t kind = 0; kind < kFailureKinds; ++kind) failures[kind] += other.failures[kind];
  for (const auto& [status, n] : other.by_status) by_status[status] += n;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  for (size_t i = 0; i < kPhases; ++i) phases[i].Merge(other.phases[i]);
  tls_full_handshakes += other.tls_full_handshakes;
  tls_resumed_handshakes += other.tls_resumed_handshakes;
}

void SecondData::Merge(const SecondData& other) {
  for (const auto& [index, figures] : other.names) names[index].Merge(figures);
  iterations += other.iterations;
  dropped_iterations += other.dropped_iterations;
  checks_passed += other.checks_passed;
  checks_failed += other.checks_failed;
  active_vus += other.active_vus;
  offered_rate += other.offered_rate;
}

Recorder::Recorder(Recorder&& other) noexcept
    : run_start_unix_us_(other.run_start_unix_us_), seconds_(std::move(other.seconds_)) {
  other.cached_ = nullptr;
}

Recorder& Recorder::operator=(Recorder&& other) noexcept {
  run_start_unix_us_ = other.run_start_unix_us_;
  seconds_ = std::move(other.seconds_);
  cached_ = nullptr;
  other.cached_ = nullptr;
  return *this;
}

SecondData& Recorder::At(int64_t unix_us) {
  // Bookkeeping before the start (a run stopped during its lead-in) belongs to second 0: the
  // results have no second before it.
  const int64_t second =
      std::max<int64_t>(0, FloorDiv(unix_us - run_start_unix_us_, kMicrosPerSecond));
  if (cached_ != nullptr && cached_second_ == second) return *cached_;
  SecondData& data = seconds_[second];
  data.second = second;
  cached_second_ = second;
  cached_ = &data;
  return data;
}

void Recorder::Record(const RequestSample& sample) {
  NameSecond& figures = At(sample.start_unix_us + sample.duration_us).names[sample.name_index];
  figures.duration.Record(sample.duration_us);
  ++figures.requests;
  if (sample.failure != FailureKind::kNone) ++figures.failures[static_cast<size_t>(sample.failure)];
  if (sample.status != 0) ++figures.by_status[sample.status];
  figures.bytes_sent += sample.bytes_sent;
  figures.bytes_received += sample.bytes_received;
  for (size_t i = 0; i < kPhases; ++i) figures.phases[i].Record(PhaseUs(sample.phases, i));
  if (sample.tls_handshake) {
    ++(sample.tls_resumed ? figures.tls_resumed_handshakes : figures.tls_full_handshakes);
  }
}

void Recorder::CountIteration(int64_t now_unix_us) { ++At(now_unix_us).iterations; }

void Recorder::CountDropped(int64_t now_unix_us) { ++At(now_unix_us).dropped_iterations; }

void Recorder::CountCheck(int64_t now_unix_us, bool passed) {
  SecondData& data = At(now_unix_us);
  ++(passed ? data.checks_passed : data.checks_failed);
}

void Recorder::SetLoad(int64_t now_unix_us, double active_vus, double offered_rate) {
  SecondData& data = At(now_unix_us);
  data.active_vus = active_vus;
  data.offered_rate = offered_rate;
}

std::vector<SecondData> Recorder::TakeBefore(int64_t second) {
  std::vector<SecondData> taken;
  auto end = seconds_.lower_bound(second);
  for (auto it = seconds_.begin(); it != end; ++it) taken.push_back(std::move(it->second));
  if (cached_ != nullptr && cached_second_ < second) cached_ = nullptr;
  seconds_.erase(seconds_.begin(), end);
  return taken;
}

}  // namespace fourdollar::results
