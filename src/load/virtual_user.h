// A virtual user: a small state machine that runs one scenario's flow at a time over its own
// keep-alive connection. Thousands fit on one thread; none has a thread of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "load/client_connection.h"
#include "load/validator_cache.h"
#include "net/event_loop.h"
#include "net/tls_context.h"
#include "results/raw_csv.h"
#include "results/recorder.h"
#include "scenario/capture.h"
#include "scenario/random.h"
#include "scenario/scenario.h"
#include "scenario/template.h"

namespace fourdollar::load {

// What every VU of one thread shares: read-only during the run, except the recorder.
struct VuContext {
  const scenario::ScenarioFile* file = nullptr;
  net::EventLoop* loop = nullptr;
  net::Endpoint endpoint;
  std::string host_header;  // "127.0.0.1:8080"
  std::vector<std::vector<uint32_t>>
      step_names;  // [scenario][step] -> name index; +1: its redirects
  // [scenario][step] -> what of its responses the step reads (ResponseFilterFor).
  std::vector<std::vector<http::ResponseFilter>> response_filters;
  results::Recorder* recorder = nullptr;
  results::RawCsvWriter* raw_csv = nullptr;  // with --raw-csv: every request, in k6's layout
  char* read_buffer = nullptr;  // ClientConnection::kReadBufferBytes, shared by the thread
  scenario::CaptureMemo* capture_memo = nullptr;  // the thread's; null: every body is searched
  // An https:// target: the client context (shared by every thread) and the name to send in
  // SNI and verify. Null: plain HTTP.
  std::shared_ptr<const net::TlsContext> tls;
  std::string server_name;
  SourceAddresses* sources = nullptr;  // this thread's; null: the kernel chooses
  int64_t run_start_unix_us = 0;
  int64_t run_start_mono_ns = 0;
};

// What of a step's responses the VU reads: Location for redirects, the headers it captures,
// ETag when it revalidates, and the body only when a check or a capture looks at it.
http::ResponseFilter ResponseFilterFor(const scenario::Step& step);
// ResponseFilterFor of every step: [scenario][step].
std::vector<std::vector<http::ResponseFilter>> ResponseFiltersFor(
    const scenario::ScenarioFile& file);

class VirtualUser;

class IterationListener {
 public:
  virtual void OnIterationDone(VirtualUser& vu) = 0;

 protected:
  ~IterationListener() = default;
};

// Not thread-safe: lives on its thread's loop.
class VirtualUser final : public ConnectionListener {
 public:
  VirtualUser(const VuContext& context, int64_t global_id, IterationListener& listener);
  VirtualUser(const VirtualUser&) = delete;
  VirtualUser& operator=(const VirtualUser&) = delete;

  // Runs one iteration of `scenario`. `intended_start_ns` (monotonic) is when the open model
  // meant it to start: its first request's latency counts from then (no coordinated omission);
  // 0 in the closed model, where latency counts from the send.
  void StartIteration(size_t scenario, int64_t intended_start_ns);
  bool running() const { return running_; }
  int64_t global_id() const { return global_id_; }
  // Drops the iteration in flight without recording it (the run is over).
  void Abandon();
  // Opens the VU's connection ahead of its first iteration (ClientConnection::Open).
  void OpenConnection() { connection_.Open(); }

  void OnExchange(Exchange exchange) override;

 private:
  void RunStep();
  void SendCurrent();
  void EndIteration();
  bool FollowRedirect(const http::ClientResponse& response);
  void FinishStep(const Exchange& exchange);
  void Record(const results::RequestSample& sample);

  const VuContext& context_;
  const int64_t global_id_;
  IterationListener& listener_;
  scenario::Random random_;
  scenario::VariableLookup lookup_;  // into captured_
  ClientConnection connection_;

  bool running_ = false;
  size_t scenario_ = 0;
  size_t step_ = 0;
  int64_t iteration_ = 0;
  int64_t intended_start_ns_ = 0;
  std::vector<std::pair<std::string, std::string>> captured_;  // this iteration's variables
  // The pages of revalidating steps. Kept across iterations (a returning visitor), emptied at
  // each one with `connections: per-iteration` (a new visitor).
  ValidatorCache validators_;

  // The request being made (a step, or one of its redirects).
  http::Method method_ = http::Method::kGet;
  std::string request_;  // built here, then swapped with the connection's previous one
  std::string path_;
  std::string body_;
  int hops_ = 0;
  bool revalidating_ = false;  // the request carries If-None-Match from validators_
  int64_t sent_ns_ = 0;
  net::TimerId think_timer_;
};

}  // namespace fourdollar::load
