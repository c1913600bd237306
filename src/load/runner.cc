#include "load/runner.h"

#include <signal.h>
#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/process_stats.h"
#include "load/engine.h"
#include "load/scrape.h"
#include "load/start_at.h"
#include "results/results.h"
#include "results/results_builder.h"
#include "results/results_files.h"
#include "results/summary.h"

namespace fourdollar::load {

// The run writes its figures in the results format.
using results::FormatSummary;
using results::kFailureKinds;
using results::LatencyHistogram;
using results::RawCsvPartPath;
using results::RawCsvWriter;
using results::Recorder;
using results::Results;
using results::ResultsBuilder;
using results::RunInfo;
using results::SecondData;
using results::WriteResults;
// It runs a scenario as the scenario language states it.
using scenario::ExecutionModelName;
using scenario::Scenario;
using scenario::ScenarioFile;
using scenario::Step;

namespace {

constexpr double kSaturatedCpuPercent = 85;
// Time between fixing the start and the start, for making the load threads.
constexpr int64_t kStartLeadNs = 50'000'000;

struct Worker {
  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<Recorder> recorder;
  std::unique_ptr<RawCsvWriter> raw_csv;
  std::unique_ptr<Engine> engine;
  std::vector<char> read_buffer;
  std::thread thread;
};

// "http://host:port" -> endpoint and Host header.
Result<std::pair<net::Endpoint, std::string>> ParseTarget(const std::string& target) {
  constexpr std::string_view kHttp = "http://";
  if (target.rfind(kHttp, 0) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "target \"" + target + "\" must start with http://");
  }
  std::string authority = target.substr(kHttp.size());
  authority = authority.substr(0, authority.find('/'));
  std::string with_port = authority.find(':') == std::string::npos ? authority + ":80" : authority;
  Result<net::Endpoint> endpoint = net::ParseEndpoint(with_port);
  if (!endpoint) return tl::unexpected(endpoint.error());
  return std::make_pair(*endpoint, authority);
}

// Request names in order of first use; a step's redirects are counted under "<name> (redirect)".
std::vector<std::string> NameSteps(const ScenarioFile& file,
                                   std::vector<std::vector<uint32_t>>* step_names) {
  std::vector<std::string> names;
  auto index_of = [&names](const std::string& name) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<uint32_t>(it - names.begin());
    names.push_back(name);
    return static_cast<uint32_t>(names.size() - 1);
  };
  for (const Scenario& scenario : file.scenarios) {
    std::vector<uint32_t> indexes;
    for (const Step& step : scenario.flow) {
      // The redirect name always directly follows its step's name.
      auto it = std::find(names.begin(), names.end(), step.name);
      if (it == names.end()) {
        names.push_back(step.name);
        names.push_back(step.name + " (redirect)");
      }
      indexes.push_back(index_of(step.name));
    }
    step_names->push_back(std::move(indexes));
  }
  return names;
}

// Merged figures of one second over all names, for the live line.
struct SecondView {
  uint64_t requests = 0;
  uint64_t failures = 0;
  LatencyHistogram duration;
  double vus = 0;
  double rate = 0;
};

std::string Ms(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(us) / 1000.0);
  return buf;
}

}  // namespace

std::string DefaultResultsDir(const std::string& prefix) {
  time_t now = time(nullptr);
  tm parts{};
  gmtime_r(&now, &parts);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &parts);
  return "results/" + prefix + stamp;
}

int RunLoad(const ScenarioFile& file, const LoadOptions& options) {
  Result<std::pair<net::Endpoint, std::string>> target = ParseTarget(file.target);
  if (!target) {
    std::fprintf(stderr, "fourdollar load: %s\n", target.error().message.c_str());
    return 1;
  }
  net::BlockSignals({SIGINT, SIGTERM});
  ::signal(SIGPIPE, SIG_IGN);
  const uint64_t file_limit = RaiseOpenFileLimit();
  if (file_limit > 0 && static_cast<int64_t>(file_limit) < file.execution.max_vus + 64) {
    std::fprintf(stderr,
                 "fourdollar load: warning: the open-file limit (%llu) is below the %lld VUs this "
                 "test may run (one connection each); raise it with ulimit -n\n",
                 static_cast<unsigned long long>(file_limit),
                 static_cast<long long>(file.execution.max_vus));
  }

  std::vector<std::vector<uint32_t>> step_names;
  std::vector<std::string> names = NameSteps(file, &step_names);
  const std::vector<std::vector<http::ResponseFilter>> response_filters = ResponseFiltersFor(file);
  const int thread_count = std::max(1, options.threads);
  const int64_t duration_ms = file.execution.TotalDurationMs();

  // The folder is made before any wait, so that a folder that cannot be made fails at once.
  std::error_code dir_error;
  const bool out_dir_existed = std::filesystem::exists(options.out_dir, dir_error);
  std::filesystem::create_directories(options.out_dir, dir_error);
  if (dir_error) {
    std::fprintf(stderr, "fourdollar load: cannot create %s: %s\n", options.out_dir.c_str(),
                 dir_error.message().c_str());
    return 1;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // All threads start on the same instant: a moment from now, or --start-at. The moment before
  // it is for making the threads.
  RunStart start = StartSoon(kStartLeadNs);
  if (options.start_at_unix_us != 0) {
    StartWait wait =
        WaitForStart(options.start_at_unix_us, kStartLeadNs, signals, options.terminal, stderr);
    if (!wait.started) {
      if (!out_dir_existed) std::filesystem::remove(options.out_dir, dir_error);  // if empty
      std::fprintf(stderr,
                   "fourdollar load: interrupted while waiting to start: nothing was sent and no "
                   "results were written\n");
      return 128 + wait.signal;
    }
    start = wait.start;
  }
  const int64_t start_mono_ns = start.mono_ns;
  const int64_t start_unix_us = start.unix_us;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < thread_count; ++i) {
    auto worker = std::make_unique<Worker>();
    Result<std::unique_ptr<net::EventLoop>> loop = net::EventLoop::Create();
    if (!loop) {
      std::fprintf(stderr, "fourdollar load: %s\n", loop.error().message.c_str());
      return 1;
    }
    worker->loop = std::move(*loop);
    worker->recorder = std::make_unique<Recorder>(start_unix_us);
    worker->read_buffer.resize(ClientConnection::kReadBufferBytes);
    if (options.raw_csv) {
      auto raw = RawCsvWriter::Open(RawCsvPartPath(options.out_dir + "/raw.csv", i), names);
      if (!raw) {
        std::fprintf(stderr, "fourdollar load: %s\n", raw.error().message.c_str());
        return 1;
      }
      worker->raw_csv = std::move(*raw);
    }
    VuContext context;
    context.file = &file;
    context.loop = worker->loop.get();
    context.endpoint = target->first;
    context.host_header = target->second;
    context.step_names = step_names;
    context.response_filters = response_filters;
    context.recorder = worker->recorder.get();
    context.raw_csv = worker->raw_csv.get();
    context.read_buffer = worker->read_buffer.data();
    context.run_start_unix_us = start_unix_us;
    context.run_start_mono_ns = start_mono_ns;
    worker->engine =
        std::make_unique<Engine>(std::move(context), EngineShare{options.segment, i, thread_count});
    workers.push_back(std::move(worker));
  }
  for (auto& worker : workers) {
    Engine* engine = worker->engine.get();
    net::EventLoop* loop = worker->loop.get();
    loop->RunAt(start_mono_ns, [engine] { engine->Start(); });
    worker->thread = std::thread([loop] { loop->Run(); });
  }

  RunInfo info;
  info.scenario_path = file.path;
  info.target = file.target;
  info.start_unix_ms = start_unix_us / 1000;
  info.start_at_unix_ms = options.start_at_unix_us / 1000;
  info.names = names;
  info.segment =
      std::to_string(options.segment.index) + "/" + std::to_string(options.segment.count);
  info.threads = thread_count;
  info.model = ExecutionModelName(file.execution.model);
  ResultsBuilder builder;

  // Seconds handed over by the load threads (the only state the threads and this one share).
  std::mutex mutex;
  std::condition_variable delivered_cv;
  std::vector<SecondData> inbox;
  size_t deliveries = 0;
  auto collect = [&](int64_t before_second) {
    size_t expected;
    {
      std::lock_guard lock(mutex);
      expected = deliveries + workers.size();
    }
    for (auto& worker : workers) {
      Recorder* recorder = worker->recorder.get();
      worker->loop->Post([recorder, before_second, &mutex, &inbox, &deliveries, &delivered_cv] {
        std::vector<SecondData> seconds = recorder->TakeBefore(before_second);
        std::lock_guard lock(mutex);
        for (auto& s : seconds) inbox.push_back(std::move(s));
        ++deliveries;
        delivered_cv.notify_all();
      });
    }
    std::unique_lock lock(mutex);
    delivered_cv.wait_for(lock, std::chrono::seconds(5), [&] { return deliveries >= expected; });
    std::vector<SecondData> taken;
    taken.swap(inbox);
    return taken;
  };

  bool interrupted = false;
  double previous_cpu = 0;
  if (Result<ProcessStats> self = ReadProcessStats()) previous_cpu = self->cpu_seconds;
  double previous_watch_cpu = -1;
  if (options.watch_pid > 0) {
    if (Result<ProcessStats> watched = ReadProcessStats(options.watch_pid))
      previous_watch_cpu = watched->cpu_seconds;
  }
  double max_generator_cpu = 0;
  int64_t second = 0;
  std::map<int64_t, SecondView> views;
  while (true) {
    // Wake at each whole second of the run, or at a signal.
    int64_t next_ns = start_mono_ns + (second + 1) * 1'000'000'000;
    int64_t wait_ns = std::max<int64_t>(0, next_ns - MonotonicNowNs());
    timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000),
                     static_cast<long>(wait_ns % 1'000'000'000)};
    int signo = sigtimedwait(&signals, nullptr, &timeout);
    if (signo == SIGINT || signo == SIGTERM) {
      if (!interrupted) {
        interrupted = true;
        std::fprintf(stderr, "\nfourdollar load: stopping early; results so far are kept\n");
        for (auto& worker : workers) {
          Engine* engine = worker->engine.get();
          worker->loop->Post([engine] { engine->Stop(0); });
        }
      }
      continue;
    }
    if (MonotonicNowNs() < next_ns) continue;
    ++second;
    // Own CPU: above kSaturatedCpuPercent of the threads' capacity, the numbers measure us.
    if (Result<ProcessStats> self = ReadProcessStats()) {
      double percent = (self->cpu_seconds - previous_cpu) * 100.0 / thread_count;
      previous_cpu = self->cpu_seconds;
      max_generator_cpu = std::max(max_generator_cpu, percent);
      builder.AddGeneratorCpu(second - 1, percent);
    }
    if (options.watch_pid > 0) {
      if (Result<ProcessStats> watched = ReadProcessStats(options.watch_pid)) {
        double percent =
            previous_watch_cpu < 0 ? 0 : (watched->cpu_seconds - previous_watch_cpu) * 100.0;
        previous_watch_cpu = watched->cpu_seconds;
        builder.AddWatchSample(second - 1, percent, watched->resident_bytes);
      }
    }
    if (!options.scrape_url.empty()) {
      if (Result<ScrapeSample> sample = ScrapeMetrics(options.scrape_url, 500)) {
        builder.AddScrapeSample(second - 1, *sample);
      }
    }
    for (SecondData& data : collect(second)) {
      SecondView& view = views[data.second];
      for (auto& [index, figures] : data.names) {
        view.requests += figures.requests;
        for (size_t k = 1; k < kFailureKinds; ++k) view.failures += figures.failures[k];
        view.duration.Merge(figures.duration);
      }
      view.vus += data.active_vus;
      view.rate += data.offered_rate;
      builder.Add(data);
    }
    const SecondView& last = views[second - 1];
    char line[256];
    std::snprintf(
        line, sizeof line,
        "%3llds/%llds  vus %-5.0f  %7llu req/s  p50 %s  p95 %s  p99 %s  errors %llu",
        static_cast<long long>(second), static_cast<long long>(duration_ms / 1000), last.vus,
        static_cast<unsigned long long>(last.requests), Ms(last.duration.PercentileUs(50)).c_str(),
        Ms(last.duration.PercentileUs(95)).c_str(), Ms(last.duration.PercentileUs(99)).c_str(),
        static_cast<unsigned long long>(last.failures));
    if (options.terminal) {
      std::fprintf(stderr, "\r\033[K%s", line);
    } else if (second % 10 == 0) {
      std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
    views.erase(views.begin(), views.lower_bound(second - 2));
    bool all_finished = std::all_of(workers.begin(), workers.end(),
                                    [](const auto& w) { return w->engine->finished(); });
    if (all_finished) break;
  }
  builder.Add(collect(INT64_MAX));
  for (auto& worker : workers) worker->loop->Stop();
  for (auto& worker : workers) worker->thread.join();
  for (auto& worker : workers) {
    if (!worker->raw_csv) continue;
    if (Status closed = worker->raw_csv->Close(); !closed) {
      std::fprintf(stderr, "fourdollar load: raw CSV: %s\n", closed.error().message.c_str());
    }
  }
  if (options.terminal) std::fprintf(stderr, "\n");

  // The run lasted until its last iteration ended (the loop above stops only once every engine
  // has finished), not until the tick that noticed it.
  int64_t end_mono_ns = start_mono_ns;
  for (auto& worker : workers) {
    end_mono_ns = std::max(end_mono_ns, worker->engine->finished_at_ns());
  }
  info.duration_ms = (end_mono_ns - start_mono_ns) / 1'000'000;
  info.interrupted = interrupted;
  info.generator_cpu_max = max_generator_cpu;
  info.generator_saturated = max_generator_cpu > kSaturatedCpuPercent;
  Results results = builder.Build(info, file.thresholds);
  if (options.print_summary) std::fputs(FormatSummary(results).c_str(), stdout);
  if (Status written = WriteResults(results, options.out_dir); !written) {
    std::fprintf(stderr, "fourdollar load: %s\n", written.error().message.c_str());
    return 1;
  }
  if (options.print_summary) std::printf("\nresults: %s\n", options.out_dir.c_str());
  return results.ThresholdsPassed() ? 0 : 99;
}

}  // namespace fourdollar::load
