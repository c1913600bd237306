// Runs a scenario file: load threads, the once-a-second merge, the live line, server watching,
// and the results at the end.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"
#include "load/schedule.h"
#include "net/io_backend.h"
#include "results/results.h"
#include "scenario/scenario.h"

namespace fourdollar::load {

struct LoadOptions {
  std::string out_dir;     // results folder (created)
  int threads = 1;         // load threads, each with its own event loop
  Segment segment;         // this process's share (k6 execution segments)
  pid_t watch_pid = 0;     // a local server process whose CPU and memory are sampled each second
  std::string scrape_url;  // a server's /metrics read each second
  bool raw_csv = false;    // one row per request in k6's CSV layout
  bool terminal = false;   // redraw one live line instead of printing a line per 10 s
  // --start-at: wait until this wall-clock time (unix microseconds) before starting; 0 starts
  // at once. The caller has checked it (CheckStartAt).
  int64_t start_at_unix_us = 0;
  net::IoBackend io_backend = net::IoBackend::kEpoll;  // already chosen (net::ChooseIoBackend)
};

// "results/<prefix><UTC time>", e.g. results/bench-20261126-171500: the default --out.
std::string DefaultResultsDir(const std::string& prefix = "");

// What a run produced.
struct LoadOutcome {
  // The signal (SIGINT or SIGTERM) that interrupted the wait for start_at_unix_us: then nothing
  // was sent, no results were written and a results folder made for the run was removed. 0 when
  // the run took place.
  int signal_before_start = 0;
  results::Results
      results;     // the run's figures; results.run.interrupted after a signal during the run
  Status written;  // writing `results` to options.out_dir
  // How long the load threads were ready to run but waited for a CPU (their run delay, read
  // from /proc/thread-self/schedstat as each ends; -1 when the kernel keeps none): a process's
  // /proc/PID/task no longer lists threads that have ended.
  double threads_wait_seconds = -1;
};

// Runs the load and writes its results to options.out_dir. While it runs it prints the live
// line and warnings to stderr; the summary is the caller's. An error when the run could not be
// made (bad target, results folder or raw CSV that cannot be made, no event loop); then nothing
// was sent. Precondition (set up once in main): SIGINT and SIGTERM blocked in every thread
// (taken by the run as "stop early"), SIGPIPE ignored.
[[nodiscard]] Result<LoadOutcome> RunLoad(const scenario::ScenarioFile& file,
                                          const LoadOptions& options);

}  // namespace fourdollar::load
