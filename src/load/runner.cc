#include "load/runner.h"

#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/cpus.h"
#include "base/open_files.h"
#include "base/process_stats.h"
#include "base/thread_name.h"
#include "http/url.h"
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

// The calling thread's run delay so far (ns ready to run but waiting for a CPU); -1 when the
// kernel keeps no schedstat.
int64_t ThreadRunDelayNs() {
  std::ifstream file("/proc/thread-self/schedstat");
  uint64_t on_cpu_ns = 0, waiting_ns = 0;
  if (!(file >> on_cpu_ns >> waiting_ns)) return -1;
  return static_cast<int64_t>(waiting_ns);
}

// Time between fixing the start and the start, for making the load threads.
constexpr int64_t kStartLeadNs = 50'000'000;

struct Worker {
  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<Recorder> recorder;
  std::unique_ptr<RawCsvWriter> raw_csv;
  std::unique_ptr<Engine> engine;
  std::vector<char> read_buffer;
  scenario::CaptureMemo capture_memo;
  SourceAddresses sources;
  std::thread thread;
};

// Where the load goes and how it connects.
struct Target {
  net::Endpoint endpoint;
  std::string host_header;
  std::shared_ptr<const net::TlsContext> tls;  // https://
  std::string host;                            // the URL's
  std::string server_name;
  std::vector<net::Endpoint> sources;
};

// The target's endpoint, Host header, TLS context and source addresses. A host name is looked
// up once, here.
Result<Target> ParseTarget(const ScenarioFile& file) {
  const std::string& target = file.target;
  Result<http::Url> url = http::ParseHttpUrl(target);
  if (!target.starts_with("http://") && !target.starts_with("https://")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "target \"" + target + "\" must start with http:// or https://");
  }
  if (!url) return tl::unexpected(url.error());
  Target result;
  Result<net::Endpoint> endpoint = http::EndpointOf(*url);
  if (!endpoint) endpoint = net::ResolveHost(url->host, url->port);
  if (!endpoint) return tl::unexpected(endpoint.error());
  result.endpoint = *endpoint;
  result.host_header = url->HostHeader();
  result.host = url->host;
  if (url->scheme == http::Url::Scheme::kHttps) {
    Result<std::shared_ptr<net::TlsContext>> tls =
        net::TlsContext::ForClient({.ca_file = file.tls.ca, .insecure = file.tls.insecure});
    if (!tls) return MakeError(tls.error().code, file.path + ": tls: " + tls.error().message);
    result.tls = std::move(*tls);
    result.server_name = file.tls.server_name.empty() ? url->host : file.tls.server_name;
  } else if (file.tls.insecure || !file.tls.ca.empty() || !file.tls.server_name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     file.path + ": tls: settings given for a plain http:// target");
  }
  for (const std::string& address : file.source_addresses) {
    Result<net::Endpoint> source = net::ParseEndpoint(
        (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":0");
    if (!source)
      return MakeError(ErrorCode::kInvalidArgument,
                       file.path + ": source_addresses: " + source.error().message);
    result.sources.push_back(*source);
  }
  return result;
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

// The open-file limit is raised as far as allowed; below the VUs' connections, say so. The
// descriptor table is grown for them now, so that connecting them never stalls a load thread.
void PrepareFilesForVus(const ScenarioFile& file) {
  const uint64_t file_limit = RaiseOpenFileLimit();
  const uint64_t wanted =
      static_cast<uint64_t>(file.execution.max_vus) + kDescriptorsBesideConnections;
  if (file_limit > 0 && file_limit < wanted) {
    std::fprintf(stderr,
                 "fourdollar load: warning: the open-file limit (%llu) is below the %lld VUs this "
                 "test may run (one connection each); raise it with ulimit -n\n",
                 static_cast<unsigned long long>(file_limit),
                 static_cast<long long>(file.execution.max_vus));
  }
  ReserveFileDescriptors(wanted);
}

// Makes the results folder; returns whether it existed before.
Result<bool> MakeOutDir(const std::string& dir) {
  std::error_code dir_error;
  const bool existed = std::filesystem::exists(dir, dir_error);
  std::filesystem::create_directories(dir, dir_error);
  if (dir_error) {
    return MakeError(ErrorCode::kIo, "cannot create " + dir + ": " + dir_error.message());
  }
  return existed;
}

sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

// One run from making the load threads to its results: the threads, the seconds they hand
// over, the samples of this process, the watched one and the scraped server, and the live line.
class LoadRun {
 public:
  LoadRun(const ScenarioFile& file, const LoadOptions& options, RunStart start)
      : file_(file),
        options_(options),
        start_(start),
        thread_count_(std::max(1, options.threads)),
        cpu_capacity_(std::min(thread_count_, AllowedCpuCount())),
        names_(NameSteps(file, &step_names_)) {}
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Makes each thread's loop, recorder, raw CSV part and engine; nothing runs yet.
  Status MakeWorkers(const Target& target) {
    scrape_tls_ = {
        .context = target.tls, .target_host = target.host, .server_name = target.server_name};
    const std::vector<std::vector<http::ResponseFilter>> response_filters =
        ResponseFiltersFor(file_);
    for (int i = 0; i < thread_count_; ++i) {
      auto worker = std::make_unique<Worker>();
      Result<std::unique_ptr<net::EventLoop>> loop = net::EventLoop::Create(options_.io_backend);
      if (!loop) return tl::unexpected(loop.error());
      worker->loop = std::move(*loop);
      worker->recorder = std::make_unique<Recorder>(start_.unix_us);
      worker->read_buffer.resize(ClientConnection::kReadBufferBytes);
      if (options_.raw_csv) {
        auto raw = RawCsvWriter::Open(RawCsvPartPath(options_.out_dir + "/raw.csv", i), names_);
        if (!raw) return tl::unexpected(raw.error());
        worker->raw_csv = std::move(*raw);
      }
      VuContext context;
      context.file = &file_;
      context.loop = worker->loop.get();
      context.endpoint = target.endpoint;
      context.host_header = target.host_header;
      context.tls = target.tls;
      context.server_name = target.server_name;
      worker->sources.addresses = target.sources;
      // Threads start at different places in the list, so they do not all take the same first.
      if (!target.sources.empty())
        worker->sources.next = static_cast<size_t>(i) % target.sources.size();
      context.sources = &worker->sources;
      context.step_names = step_names_;
      context.response_filters = response_filters;
      context.recorder = worker->recorder.get();
      context.raw_csv = worker->raw_csv.get();
      context.read_buffer = worker->read_buffer.data();
      context.capture_memo = &worker->capture_memo;
      context.run_start_unix_us = start_.unix_us;
      context.run_start_mono_ns = start_.mono_ns;
      worker->engine = std::make_unique<Engine>(std::move(context),
                                                EngineShare{options_.segment, i, thread_count_});
      workers_.push_back(std::move(worker));
    }
    return {};
  }

  // Starts the threads, then wakes at each whole second of the run (or at a signal) until every
  // engine has finished; then stops the threads.
  void Run() {
    for (size_t i = 0; i < workers_.size(); ++i) {
      auto& worker = workers_[i];
      Engine* engine = worker->engine.get();
      net::EventLoop* loop = worker->loop.get();
      // The open model's VUs ready at the start are made in the lead to it (kStartLeadNs).
      loop->RunAt(MonotonicNowNs(), [engine] { engine->Prepare(); });
      loop->RunAt(start_.mono_ns, [engine] { engine->Start(); });
      worker->thread = std::thread([this, loop, i] {
        NameThisThread("load-loop-" + std::to_string(i));
        loop->Run();
        const int64_t waited_ns = ThreadRunDelayNs();
        if (waited_ns < 0) {
          threads_wait_unknown_.store(true, std::memory_order_relaxed);
        } else {
          threads_wait_ns_.fetch_add(waited_ns, std::memory_order_relaxed);
        }
      });
    }
    StartSamples();
    const sigset_t signals = StopSignals();
    for (int64_t second = 0;;) {
      int64_t next_ns = start_.mono_ns + (second + 1) * 1'000'000'000;
      int64_t wait_ns = std::max<int64_t>(0, next_ns - MonotonicNowNs());
      timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000),
                       static_cast<long>(wait_ns % 1'000'000'000)};
      int signo = sigtimedwait(&signals, nullptr, &timeout);
      if (signo == SIGINT || signo == SIGTERM) {
        StopEarly();
        continue;
      }
      if (MonotonicNowNs() < next_ns) continue;
      ++second;
      TakeSecond(second);
      if (AllFinished()) break;
    }
    builder_.Add(Collect(INT64_MAX));
    for (auto& worker : workers_) worker->loop->Stop();
    for (auto& worker : workers_) worker->thread.join();
    CloseRawCsv();
    if (options_.terminal) std::fprintf(stderr, "\n");
  }

  // The load threads' summed run delay once they have ended; -1 when unknown.
  double ThreadsWaitSeconds() const {
    if (threads_wait_unknown_.load(std::memory_order_relaxed)) return -1;
    return static_cast<double>(threads_wait_ns_.load(std::memory_order_relaxed)) / 1e9;
  }

  Results Build() const {
    RunInfo info;
    info.scenario_path = file_.path;
    info.target = file_.target;
    info.start_unix_ms = start_.unix_us / 1000;
    info.start_at_unix_ms = options_.start_at_unix_us / 1000;
    info.names = names_;
    info.segment =
        std::to_string(options_.segment.index) + "/" + std::to_string(options_.segment.count);
    info.threads = thread_count_;
    info.model = ExecutionModelName(file_.execution.model);
    // The run lasted until its last iteration ended (Run stops only once every engine has
    // finished), not until the tick that noticed it.
    int64_t end_mono_ns = start_.mono_ns;
    for (auto& worker : workers_) {
      end_mono_ns = std::max(end_mono_ns, worker->engine->finished_at_ns());
    }
    info.duration_ms = (end_mono_ns - start_.mono_ns) / 1'000'000;
    info.interrupted = interrupted_;
    info.generator_cpu_max = max_generator_cpu_;
    info.generator_saturated = max_generator_cpu_ > results::kGeneratorSaturatedPercent;
    Results results = builder_.Build(info, file_.thresholds);
    for (const auto& worker : workers_) {
      const auto& first = worker->recorder->first_failures();
      for (size_t kind = 1; kind < first.size(); ++kind) {
        if (first[kind].empty()) continue;
        results.first_failures.emplace(
            results::FailureKindName(static_cast<results::FailureKind>(kind)), first[kind]);
      }
    }
    return results;
  }

 private:
  bool AllFinished() const {
    return std::all_of(workers_.begin(), workers_.end(),
                       [](const auto& w) { return w->engine->finished(); });
  }

  void StopEarly() {
    if (interrupted_) return;
    interrupted_ = true;
    std::fprintf(stderr, "\nfourdollar load: stopping early; results so far are kept\n");
    for (auto& worker : workers_) {
      Engine* engine = worker->engine.get();
      worker->loop->Post([engine] { engine->Stop(0); });
    }
  }

  // Seconds before `before_second` from every load thread (the only state they share with this
  // one), waiting at most 5 s for the threads to hand them over.
  std::vector<SecondData> Collect(int64_t before_second) {
    size_t expected;
    {
      std::lock_guard lock(mutex_);
      expected = deliveries_ + workers_.size();
    }
    for (auto& worker : workers_) {
      Recorder* recorder = worker->recorder.get();
      worker->loop->Post([this, recorder, before_second] {
        std::vector<SecondData> seconds = recorder->TakeBefore(before_second);
        std::lock_guard lock(mutex_);
        for (auto& s : seconds) inbox_.push_back(std::move(s));
        ++deliveries_;
        delivered_cv_.notify_all();
      });
    }
    std::unique_lock lock(mutex_);
    delivered_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return deliveries_ >= expected; });
    std::vector<SecondData> taken;
    taken.swap(inbox_);
    return taken;
  }

  void StartSamples() {
    if (Result<ProcessStats> self = ReadProcessStats()) previous_cpu_ = self->cpu_seconds;
    if (options_.watch_pid > 0) {
      if (Result<ProcessStats> watched = ReadProcessStats(options_.watch_pid))
        previous_watch_cpu_ = watched->cpu_seconds;
    }
  }

  // CPU-seconds used in a second, as a percent of `cpus` CPUs, to a tenth of a percent: the
  // kernel counts CPU time in ticks, so finer digits would only be floating-point remainders
  // (100.00000000000004).
  static double CpuPercent(double cpu_seconds, int cpus) {
    return std::round(cpu_seconds * 1000.0 / cpus) / 10.0;
  }

  // Own CPU (above results::kGeneratorSaturatedPercent of what the threads can use, the numbers
  // measure us), the watched process and the scraped server, for the second that just ended.
  void SampleSecond(int64_t second) {
    if (Result<ProcessStats> self = ReadProcessStats()) {
      double percent = CpuPercent(self->cpu_seconds - previous_cpu_, cpu_capacity_);
      previous_cpu_ = self->cpu_seconds;
      max_generator_cpu_ = std::max(max_generator_cpu_, percent);
      builder_.AddGeneratorCpu(second - 1, percent);
    }
    if (options_.watch_pid > 0) {
      if (Result<ProcessStats> watched = ReadProcessStats(options_.watch_pid)) {
        double percent =
            previous_watch_cpu_ < 0 ? 0 : CpuPercent(watched->cpu_seconds - previous_watch_cpu_, 1);
        previous_watch_cpu_ = watched->cpu_seconds;
        builder_.AddWatchSample(second - 1, percent, watched->resident_bytes);
      }
    }
    if (!options_.scrape_url.empty()) {
      if (Result<ScrapeSample> sample = ScrapeMetrics(options_.scrape_url, 500, scrape_tls_)) {
        builder_.AddScrapeSample(second - 1, *sample);
      }
    }
  }

  // The second that just ended: samples, the threads' figures, the live line.
  void TakeSecond(int64_t second) {
    SampleSecond(second);
    for (SecondData& data : Collect(second)) {
      SecondView& view = views_[data.second];
      for (auto& [index, figures] : data.names) {
        view.requests += figures.requests;
        for (size_t k = 1; k < kFailureKinds; ++k) view.failures += figures.failures[k];
        view.duration.Merge(figures.duration);
      }
      view.vus += data.active_vus;
      view.rate += data.offered_rate;
      builder_.Add(data);
    }
    PrintLiveLine(second, views_[second - 1]);
    views_.erase(views_.begin(), views_.lower_bound(second - 2));
  }

  void PrintLiveLine(int64_t second, const SecondView& last) const {
    const int64_t duration_ms = file_.execution.TotalDurationMs();
    char line[256];
    std::snprintf(
        line, sizeof line,
        "%3llds/%llds  vus %-5.0f  %7llu req/s  p50 %s  p95 %s  p99 %s  errors %llu",
        static_cast<long long>(second), static_cast<long long>(duration_ms / 1000), last.vus,
        static_cast<unsigned long long>(last.requests), Ms(last.duration.PercentileUs(50)).c_str(),
        Ms(last.duration.PercentileUs(95)).c_str(), Ms(last.duration.PercentileUs(99)).c_str(),
        static_cast<unsigned long long>(last.failures));
    if (options_.terminal) {
      std::fprintf(stderr, "\r\033[K%s", line);
    } else if (second % 10 == 0) {
      std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
  }

  // A raw CSV part that cannot be finished is said, and the run's results still count.
  void CloseRawCsv() {
    for (auto& worker : workers_) {
      if (!worker->raw_csv) continue;
      if (Status closed = worker->raw_csv->Close(); !closed) {
        std::fprintf(stderr, "fourdollar load: raw CSV: %s\n", closed.error().message.c_str());
      }
    }
  }

  const ScenarioFile& file_;
  ScrapeTls scrape_tls_;  // an https:// target's, for its /metrics
  const LoadOptions& options_;
  const RunStart start_;
  const int thread_count_;
  // CPUs the load threads can keep busy: one each, but no more than the process may run on
  // (taskset, a container's cpuset): two threads on one CPU at full speed are 100%, not 50%.
  const int cpu_capacity_;
  std::vector<std::vector<uint32_t>> step_names_;
  const std::vector<std::string> names_;
  std::vector<std::unique_ptr<Worker>> workers_;
  ResultsBuilder builder_;
  // Seconds handed over by the load threads.
  std::mutex mutex_;
  std::condition_variable delivered_cv_;
  std::vector<SecondData> inbox_;
  size_t deliveries_ = 0;
  // Samples and the live line.
  bool interrupted_ = false;
  double previous_cpu_ = 0;
  double previous_watch_cpu_ = -1;
  double max_generator_cpu_ = 0;
  std::atomic<int64_t> threads_wait_ns_{0};
  std::atomic<bool> threads_wait_unknown_{false};
  std::map<int64_t, SecondView> views_;
};

}  // namespace

std::string DefaultResultsDir(const std::string& prefix) {
  time_t now = time(nullptr);
  tm parts{};
  gmtime_r(&now, &parts);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &parts);
  return "results/" + prefix + stamp;
}

Result<LoadOutcome> RunLoad(const ScenarioFile& file, const LoadOptions& options) {
  Result<Target> target = ParseTarget(file);
  if (!target) return tl::unexpected(target.error());
  if (target->tls) {
    std::fprintf(stderr, "fourdollar load: %s: TLS, %s\n", file.target.c_str(),
                 target->tls->description().c_str());
  }
  PrepareFilesForVus(file);
  // The folder is made before any wait, so that a folder that cannot be made fails at once.
  Result<bool> out_dir_existed = MakeOutDir(options.out_dir);
  if (!out_dir_existed) return tl::unexpected(out_dir_existed.error());
  // All threads start on the same instant: a moment from now, or --start-at. The moment before
  // it is for making the threads.
  RunStart start = StartSoon(kStartLeadNs);
  LoadOutcome outcome;
  if (options.start_at_unix_us != 0) {
    StartWait wait = WaitForStart(options.start_at_unix_us, kStartLeadNs, StopSignals(),
                                  options.terminal, stderr);
    if (!wait.started) {
      std::error_code ignored;
      if (!*out_dir_existed) std::filesystem::remove(options.out_dir, ignored);  // if empty
      outcome.signal_before_start = wait.signal;
      return outcome;
    }
    start = wait.start;
  }
  LoadRun run(file, options, start);
  if (Status made = run.MakeWorkers(*target); !made) return tl::unexpected(made.error());
  run.Run();
  outcome.results = run.Build();
  outcome.threads_wait_seconds = run.ThreadsWaitSeconds();
  outcome.written = WriteResults(outcome.results, options.out_dir);
  return outcome;
}

}  // namespace fourdollar::load
