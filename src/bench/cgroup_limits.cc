#include "bench/cgroup_limits.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/cgroup.h"

namespace fourdollar::bench {

namespace {

constexpr int64_t kPeriodUs = 100000;

bool Exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteText(const std::string& path, const std::string& text) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return ErrnoError("open " + path, errno);
  // cgroup files report a refused value at write or at close.
  bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  int write_errno = errno;
  if (std::fclose(file) != 0 || !written) {
    return ErrnoError("write \"" + text + "\" to " + path, written ? errno : write_errno);
  }
  return {};
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return ErrnoError("mkdir " + path, errno);
  return {};
}

// Space-separated words of a cgroup v2 list file.
bool ListHas(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  std::string item;
  while (in >> item) {
    if (item == word) return true;
  }
  return false;
}

std::string MiB(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

std::string CpuWord(int cpus) { return std::to_string(cpus) + (cpus == 1 ? " CPU" : " CPUs"); }

}  // namespace

CgroupSystem CgroupSystem::Current() {
  CgroupSystem system;
  system.self_cgroup_text = ReadText("/proc/self/cgroup");
  return system;
}

CgroupLimits CgroupLimits::Create(const CgroupRequest& request, const CgroupSystem& system) {
  CgroupLimits limits;
  const bool want_memory = request.memory_bytes > 0;
  const std::string quota = std::to_string(request.cpus * kPeriodUs);
  std::vector<CgroupLine> lines = ParseCgroupLines(system.self_cgroup_text);
  std::string v2_reason = "no cgroup v2 hierarchy";

  // cgroup v2: one hierarchy; the parent must hand the controllers down.
  for (const CgroupLine& line : lines) {
    if (!line.controllers.empty() || line.path.empty()) continue;
    std::string base = system.fs_root;
    if (!Exists(base + "/cgroup.controllers")) base += "/unified";
    std::string parent = base + (line.path == "/" ? "" : line.path);
    std::string available = ReadText(parent + "/cgroup.controllers");
    if (!ListHas(available, "cpu")) {
      v2_reason = "cgroup v2 has no cpu controller here";
      break;
    }
    std::string enabled = ReadText(parent + "/cgroup.subtree_control");
    std::string wanted = want_memory && ListHas(available, "memory") ? "+cpu +memory" : "+cpu";
    if (!ListHas(enabled, "cpu") || (want_memory && !ListHas(enabled, "memory"))) {
      if (Status s = WriteText(parent + "/cgroup.subtree_control", wanted); !s) {
        v2_reason = "cgroup v2 not writable here (" + s.error().message + ")";
        break;
      }
    }
    std::string dir = parent + "/" + request.name;
    if (Status s = MakeDir(dir); !s) {
      v2_reason = "cgroup v2 not writable here (" + s.error().message + ")";
      break;
    }
    limits.dirs_.push_back(dir);
    if (Status s = WriteText(dir + "/cpu.max", quota + " " + std::to_string(kPeriodUs)); s) {
      limits.cpu_applied_ = true;
      limits.cpu_description_ = "CPU quota: cgroup v2 cpu.max \"" + quota + " " +
                                std::to_string(kPeriodUs) + "\" (" + CpuWord(request.cpus) + ")";
    } else {
      v2_reason = "cgroup v2 refused the quota (" + s.error().message + ")";
    }
    if (want_memory) {
      if (Status s = WriteText(dir + "/memory.max", std::to_string(request.memory_bytes)); s) {
        limits.memory_applied_ = true;
        limits.memory_description_ = "memory: cgroup v2 memory.max " +
                                     std::to_string(request.memory_bytes) + " (" +
                                     MiB(request.memory_bytes) + ")";
      } else {
        limits.memory_description_ =
            "memory: not limited (cgroup v2 refused memory.max: " + s.error().message + ")";
      }
    }
    break;
  }

  // cgroup v1: one hierarchy per controller.
  auto v1_dir = [&](const std::string& controller, std::string* reason) -> std::string {
    for (const CgroupLine& line : lines) {
      if (!HasController(line.controllers, controller)) continue;
      std::string mount = system.fs_root + "/" + line.controllers;
      if (!Exists(mount)) mount = system.fs_root + "/" + controller;
      std::string dir = mount + (line.path == "/" ? "" : line.path) + "/" + request.name;
      if (Status s = MakeDir(dir); !s) {
        *reason = "cgroup v1 not writable here (" + s.error().message + ")";
        return "";
      }
      limits.dirs_.push_back(dir);
      return dir;
    }
    *reason = "no cgroup v1 " + controller + " controller";
    return "";
  };
  if (!limits.cpu_applied_) {
    std::string v1_reason;
    std::string dir = v1_dir("cpu", &v1_reason);
    if (!dir.empty()) {
      Status period = WriteText(dir + "/cpu.cfs_period_us", std::to_string(kPeriodUs));
      Status s = period ? WriteText(dir + "/cpu.cfs_quota_us", quota) : period;
      if (s) {
        limits.cpu_applied_ = true;
        limits.cpu_description_ = "CPU quota: cgroup v1 cpu.cfs_quota_us " + quota + " per " +
                                  std::to_string(kPeriodUs) + " us (" + CpuWord(request.cpus) + ")";
      } else {
        v1_reason = "cgroup v1 refused the quota (" + s.error().message + ")";
      }
    }
    if (!limits.cpu_applied_) {
      limits.cpu_description_ =
          "CPU quota: none (" + v2_reason + "; " + v1_reason + "): CPU limited by affinity only";
    }
  }
  if (!want_memory) {
    limits.memory_description_ = "memory: no limit (--memory not given)";
  } else if (limits.memory_description_.empty()) {
    std::string v1_reason;
    std::string dir = v1_dir("memory", &v1_reason);
    if (!dir.empty()) {
      std::string bytes = std::to_string(request.memory_bytes);
      if (Status s = WriteText(dir + "/memory.limit_in_bytes", bytes); s) {
        limits.memory_applied_ = true;
        limits.memory_description_ = "memory: cgroup v1 memory.limit_in_bytes " + bytes + " (" +
                                     MiB(request.memory_bytes) + ")";
      } else {
        v1_reason = "cgroup v1 refused memory.limit_in_bytes (" + s.error().message + ")";
      }
    }
    if (!limits.memory_applied_) {
      limits.memory_description_ = "memory: not limited (" + v2_reason + "; " + v1_reason + ")";
    }
  }
  return limits;
}

CgroupLimits::CgroupLimits(CgroupLimits&& other) noexcept
    : dirs_(std::move(other.dirs_)),
      cpu_applied_(other.cpu_applied_),
      memory_applied_(other.memory_applied_),
      cpu_description_(std::move(other.cpu_description_)),
      memory_description_(std::move(other.memory_description_)) {
  other.dirs_.clear();
}

CgroupLimits::~CgroupLimits() {
  // A cgroup folder can be removed once no process is left in it; the files inside are the
  // kernel's and go with it.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ::rmdir(it->c_str());
}

Status CgroupLimits::Join(pid_t pid) const {
  for (const std::string& dir : dirs_) {
    if (Status s = WriteText(dir + "/cgroup.procs", std::to_string(pid)); !s) return s;
  }
  return {};
}

}  // namespace fourdollar::bench
