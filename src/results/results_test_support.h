// Builds small results from recorded samples, for the results tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "results/recorder.h"
#include "results/results.h"

namespace fourdollar::results::testing {

inline constexpr int64_t kStartUnixMs = 1'700'000'000'000;

inline RunInfo SampleRun(int64_t duration_ms = 3000) {
  RunInfo run;
  run.scenario_path = "blog.yaml";
  run.target = "http://127.0.0.1:8080";
  run.start_unix_ms = kStartUnixMs;
  run.duration_ms = duration_ms;
  run.names = {"GET /", "POST /", "GET /${id}, \"quoted\""};
  run.threads = 2;
  return run;
}

// A deterministic request for step i of a run: name, status, failure and duration vary.
inline RequestSample SampleRequest(int i) {
  RequestSample sample;
  sample.name_index = static_cast<uint32_t>(i % 3);
  sample.start_unix_us = kStartUnixMs * 1000 + int64_t{i} * 997;
  sample.duration_us = 50 + (int64_t{i} * 7919) % 40000;
  sample.status = i % 17 == 0 ? 500 : (i % 3 == 1 ? 303 : 200);
  sample.failure = i % 17 == 0 ? FailureKind::kStatus : FailureKind::kNone;
  if (i % 101 == 0) {
    sample.status = 0;
    sample.failure = FailureKind::kTimeout;
  }
  sample.bytes_sent = 80 + static_cast<uint64_t>(i % 5);
  sample.bytes_received = 1000 + static_cast<uint64_t>(i % 7);
  return sample;
}

inline void RecordSteps(Recorder& recorder, int from, int to) {
  for (int i = from; i < to; ++i) {
    const RequestSample sample = SampleRequest(i);
    recorder.Record(sample);
    const int64_t now_us = sample.start_unix_us + sample.duration_us;
    recorder.CountIteration(now_us);
    recorder.CountCheck(now_us, i % 13 != 0);
    if (i % 250 == 0) recorder.CountDropped(now_us);
    if (i % 100 == 0) recorder.SetLoad(now_us, 10, 0);
  }
}

}  // namespace fourdollar::results::testing
