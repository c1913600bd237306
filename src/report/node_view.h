// The server machine's view, from a Prometheus node_exporter scraped with the load
// (`--scrape` / `bench --scrape-node`): CPU by mode (user, system, iowait, steal; summed over
// CPUs, as percent of one CPU), memory available, disk and network bytes per second, per second
// of the run and against the achieved rate. Pure functions.
#pragma once

#include <optional>
#include <string>

#include <boost/json.hpp>

#include "results/results.h"

namespace fourdollar::report {

// The modes charted, in this order.
inline constexpr const char* kNodeCpuModes[] = {"user", "system", "iowait", "steal"};

// Null when no second has node_exporter's figures.
boost::json::value NodeView(const results::Results& results);

// "node: CPU user 41%, system 22%, iowait 0%, steal 3% of one CPU on average; memory available
// 1530 MiB (lowest)"; nothing when no second has node_exporter's figures.
std::optional<std::string> NodeSummary(const results::Results& results);

}  // namespace fourdollar::report
