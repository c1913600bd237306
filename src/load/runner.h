// Runs a scenario file: load threads, the once-a-second merge, the live line, server watching,
// and the results at the end.
#pragma once

#include <sys/types.h>

#include <string>

#include "load/schedule.h"
#include "scenario/scenario.h"

namespace fourdollar::load {

struct LoadOptions {
  std::string out_dir;        // results folder (created)
  int threads = 1;            // load threads, each with its own event loop
  Segment segment;            // this process's share (k6 execution segments)
  pid_t watch_pid = 0;        // a local server process whose CPU and memory are sampled each second
  std::string scrape_url;     // a server's /metrics read each second
  bool raw_csv = false;       // one row per request in k6's CSV layout
  bool terminal = false;      // redraw one live line instead of printing a line per 10 s
  bool print_summary = true;  // the end-of-run summary and the results folder on stdout
  // --start-at: wait until this wall-clock time (unix microseconds) before starting; 0 starts
  // at once. The caller has checked it (CheckStartAt).
  int64_t start_at_unix_us = 0;
};

// "results/<prefix><UTC time>", e.g. results/bench-20261126-171500: the default --out.
std::string DefaultResultsDir(const std::string& prefix = "");

// Returns the exit code: 0, 99 when a threshold failed, 1 when the run could not be made,
// 128 + the signal (130 for Ctrl-C) when interrupted while waiting for start_at_unix_us (then
// nothing is sent and no results are written; a results folder made for the run is removed).
int RunLoad(const scenario::ScenarioFile& file, const LoadOptions& options);

}  // namespace fourdollar::load
