// "What this means": the sweep's answer in plain words, computed once by the bench and shown
// in bench.txt and in the report (sweep.json carries the lines).
#pragma once

#include <string>
#include <vector>

#include "bench/headline.h"

namespace fourdollar::bench {

// The server's CPU cost of one flow of the scenario, measured in a short step running only
// that flow.
struct FlowCost {
  std::string flow;                 // the scenario's name: "writers", "readers"
  bool writes = false;              // the flow sends a POST, PUT, PATCH or DELETE
  double cpu_ms_per_thousand = -1;  // server CPU-ms per 1000 requests; negative: not measured
};

std::vector<std::string> Meaning(const SweepAnswer& answer, int server_cpus,
                                 const std::vector<FlowCost>& costs);

}  // namespace fourdollar::bench
