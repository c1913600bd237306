#include "report/node_view.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "results/results_files.h"

namespace fourdollar::report {
namespace {

namespace json = boost::json;

constexpr const char* kMemory = "node_memory_MemAvailable_bytes";
// Counters charted as bytes per second: [key in the page, metric].
constexpr std::pair<const char*, const char*> kByteCounters[] = {
    {"disk_read", "node_disk_read_bytes_total"},
    {"disk_written", "node_disk_written_bytes_total"},
    {"net_received", "node_network_receive_bytes_total"},
    {"net_sent", "node_network_transmit_bytes_total"},
};

bool HasNode(const results::Results& results) {
  const std::string user = results::NodeCpuKey("user");
  return std::any_of(results.seconds.begin(), results.seconds.end(),
                     [&](const results::SecondRow& row) { return row.scrape.contains(user); });
}

// Per second: the counter's growth since the previous second that had it, per second; null
// for the first.
std::vector<std::optional<double>> Rates(const results::Results& results, const std::string& key,
                                         double scale) {
  std::vector<std::optional<double>> rates;
  std::optional<std::pair<int64_t, double>> previous;
  for (const results::SecondRow& row : results.seconds) {
    auto it = row.scrape.find(key);
    if (it == row.scrape.end()) {
      rates.emplace_back();
      continue;
    }
    if (previous && row.second > previous->first && it->second >= previous->second) {
      rates.emplace_back((it->second - previous->second) * scale /
                         static_cast<double>(row.second - previous->first));
    } else {
      rates.emplace_back();
    }
    previous = {row.second, it->second};
  }
  return rates;
}

json::array Array(const std::vector<std::optional<double>>& values) {
  json::array out;
  for (const std::optional<double>& v : values) {
    out.push_back(v ? json::value(*v) : json::value(nullptr));
  }
  return out;
}

uint64_t Requests(const results::SecondRow& row) {
  uint64_t requests = 0;
  for (const auto& [index, figures] : row.data.names) requests += figures.requests;
  return requests;
}

double Mean(const std::vector<std::optional<double>>& values) {
  double sum = 0;
  int n = 0;
  for (const std::optional<double>& v : values) {
    if (v) {
      sum += *v;
      ++n;
    }
  }
  return n == 0 ? 0 : sum / n;
}

}  // namespace

json::value NodeView(const results::Results& results) {
  if (!HasNode(results)) return nullptr;
  json::array t, rps, memory;
  for (const results::SecondRow& row : results.seconds) {
    t.emplace_back(row.second);
    rps.emplace_back(Requests(row));
    auto it = row.scrape.find(kMemory);
    memory.push_back(it == row.scrape.end() ? json::value(nullptr)
                                            : json::value(it->second / 1048576.0));
  }
  json::object cpu;
  std::vector<std::vector<std::optional<double>>> modes;
  for (const char* mode : kNodeCpuModes) {
    modes.push_back(Rates(results, results::NodeCpuKey(mode), 100.0));
    cpu[mode] = Array(modes.back());
  }
  json::object bytes;
  for (const auto& [key, metric] : kByteCounters) bytes[key] = Array(Rates(results, metric, 1.0));
  // Against the achieved rate: the seconds with figures, by rate.
  std::vector<size_t> order(results.seconds.size());
  std::iota(order.begin(), order.end(), 0);
  std::erase_if(order, [&](size_t i) { return !modes[0][i] || Requests(results.seconds[i]) == 0; });
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return Requests(results.seconds[a]) < Requests(results.seconds[b]);
  });
  json::array by_rate_x;
  json::object by_rate_cpu;
  for (size_t i : order) by_rate_x.emplace_back(Requests(results.seconds[i]));
  for (size_t m = 0; m < modes.size(); ++m) {
    json::array values;
    for (size_t i : order)
      values.emplace_back(*modes[m][i] ? json::value(*modes[m][i]) : json::value(0.0));
    by_rate_cpu[kNodeCpuModes[m]] = std::move(values);
  }
  return json::object{
      {"t", std::move(t)},
      {"rps", std::move(rps)},
      {"cpu", std::move(cpu)},
      {"memory_available_mb", std::move(memory)},
      {"bytes", std::move(bytes)},
      {"by_rate", json::object{{"rps", std::move(by_rate_x)}, {"cpu", std::move(by_rate_cpu)}}}};
}

std::optional<std::string> NodeSummary(const results::Results& results) {
  if (!HasNode(results)) return std::nullopt;
  std::string text = "node: CPU";
  bool first = true;
  for (const char* mode : kNodeCpuModes) {
    char part[64];
    std::snprintf(part, sizeof part, "%s %s %.0f%%", first ? "" : ",", mode,
                  Mean(Rates(results, results::NodeCpuKey(mode), 100.0)));
    text += part;
    first = false;
  }
  text += " of one CPU on average";
  std::optional<double> lowest;
  for (const results::SecondRow& row : results.seconds) {
    auto it = row.scrape.find(kMemory);
    if (it != row.scrape.end()) lowest = std::min(lowest.value_or(it->second), it->second);
  }
  if (lowest) {
    char part[64];
    std::snprintf(part, sizeof part, "; memory available %.0f MiB (lowest)", *lowest / 1048576.0);
    text += part;
  }
  return text;
}

}  // namespace fourdollar::report
