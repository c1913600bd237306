#include "base/cgroup.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fourdollar {

namespace {

bool Exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

// A positive number of microseconds from a cgroup file; nullopt for "max", -1 (cgroup v1's "no
// quota") or anything else.
std::optional<double> Microseconds(const std::string& word) {
  char* end = nullptr;
  const double value = std::strtod(word.c_str(), &end);
  if (end == word.c_str() || *end != '\0' || value <= 0) return std::nullopt;
  return value;
}

// CPUs from a quota and its period, as the cgroup files write them.
std::optional<double> QuotaCpus(const std::string& quota, const std::string& period) {
  std::optional<double> quota_us = Microseconds(quota), period_us = Microseconds(period);
  if (!quota_us || !period_us) return std::nullopt;
  return *quota_us / *period_us;
}

// `cpus(dir)` for `path`'s folder under `mount` and each folder above it up to the mount.
template <typename CpusOf>
void EachUp(const std::string& mount, const std::string& path, std::optional<double>& smallest,
            CpusOf cpus) {
  for (std::string at = path == "/" ? "" : path;; at = at.substr(0, at.rfind('/'))) {
    if (std::optional<double> here = cpus(mount + at)) {
      smallest = smallest ? std::min(*smallest, *here) : *here;
    }
    if (at.empty()) break;
  }
}

}  // namespace

std::vector<CgroupLine> ParseCgroupLines(std::string_view text) {
  std::vector<CgroupLine> lines;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    lines.push_back({line.substr(first + 1, second - first - 1), line.substr(second + 1)});
  }
  return lines;
}

bool HasController(std::string_view list, std::string_view controller) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (list.substr(0, comma) == controller) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<double> CgroupCpuQuota(std::string_view self_cgroup_text,
                                     const std::string& fs_root) {
  std::optional<double> smallest;
  for (const CgroupLine& line : ParseCgroupLines(self_cgroup_text)) {
    if (line.path.empty() || line.path[0] != '/') continue;
    if (line.controllers.empty()) {
      // cgroup v2, mounted at the root, or under "unified" on a hybrid host.
      const std::string mount =
          Exists(fs_root + "/cgroup.controllers") ? fs_root : fs_root + "/unified";
      EachUp(mount, line.path, smallest, [](const std::string& dir) -> std::optional<double> {
        std::ifstream file(dir + "/cpu.max");
        std::string quota, period;
        if (!(file >> quota >> period)) return std::nullopt;
        return QuotaCpus(quota, period);
      });
    } else if (HasController(line.controllers, "cpu")) {
      // cgroup v1's cpu hierarchy, mounted as "cpu,cpuacct" (with a "cpu" link) or "cpu".
      std::string mount = fs_root + "/" + line.controllers;
      if (!Exists(mount)) mount = fs_root + "/cpu";
      EachUp(mount, line.path, smallest, [](const std::string& dir) -> std::optional<double> {
        std::ifstream quota_file(dir + "/cpu.cfs_quota_us");
        std::ifstream period_file(dir + "/cpu.cfs_period_us");
        std::string quota, period;
        if (!(quota_file >> quota) || !(period_file >> period)) return std::nullopt;
        return QuotaCpus(quota, period);
      });
    }
  }
  return smallest;
}

std::optional<double> CgroupCpuQuota() {
  std::ifstream file("/proc/self/cgroup");
  std::stringstream text;
  text << file.rdbuf();
  return CgroupCpuQuota(text.str(), "/sys/fs/cgroup");
}

}  // namespace fourdollar
