#include "load/engine.h"

#include <algorithm>
#include <cmath>

#include "base/clock.h"

namespace fourdollar::load {

namespace {
// The closed model re-reads its VU target when the next VU is due to start or stop (each at its
// own moment: a ramp of 5,000 VUs in a second starts one every 200 µs, not 250 every 50 ms),
// at most kTickNs and at least kMinTickNs apart.
constexpr int64_t kTickNs = 50'000'000;
constexpr int64_t kMinTickNs = 100'000;
// The open model starts together the arrivals due within this much of each other, so its timer
// wakes the loop at most 2,000 times a second. At 20,000 arrivals/s the generator used 1.1x to
// 1.3x the CPU of its former 1 ms waits with this window, 1.3x to 1.5x with 100 µs
// (bench/arrivals.sh, docs/benchmarks.md). One started before it was due is measured from when
// it started, so no figure is shortened; the schedule moves by at most this.
constexpr int64_t kArrivalBatchNs = 500'000;

std::vector<double> WeightsOf(const scenario::ScenarioFile& file) {
  std::vector<double> weights;
  for (const scenario::Scenario& s : file.scenarios) weights.push_back(s.weight);
  return weights;
}
}  // namespace

Engine::Engine(VuContext context, EngineShare share)
    : context_(std::move(context)), share_(share), picker_(WeightsOf(*context_.file)) {}

bool Engine::OpenModel() const {
  auto model = context_.file->execution.model;
  return model == scenario::Execution::Model::kConstantRate ||
         model == scenario::Execution::Model::kRampingRate;
}

int64_t Engine::ElapsedMs() const {
  return (context_.loop->now_ns() - context_.run_start_mono_ns) / 1'000'000;
}

VirtualUser& Engine::VuAt(size_t local) {
  while (vus_.size() <= local) {
    // Thread-local VU q is this segment's VU q * threads + thread, numbered globally.
    int64_t segment_local =
        static_cast<int64_t>(vus_.size()) * share_.thread_count + share_.thread_index;
    vus_.push_back(
        std::make_unique<VirtualUser>(context_, GlobalVu(segment_local, share_.segment), *this));
    wanted_.push_back(false);
  }
  return *vus_[local];
}

size_t Engine::ThreadShare(int64_t total) const {
  const int64_t in_segment = VusInSegment(total, share_.segment);
  return static_cast<size_t>(std::max<int64_t>(
      0, (in_segment - share_.thread_index + share_.thread_count - 1) / share_.thread_count));
}

void Engine::Prepare() {
  if (prepared_) return;
  prepared_ = true;
  if (!OpenModel()) return;
  const scenario::ScenarioFile& file = *context_.file;
  max_vus_ = std::max<size_t>(1, ThreadShare(file.execution.max_vus));
  const size_t ready = std::min(max_vus_, ThreadShare(file.execution.pre_allocated_vus));
  // A scenario that connects anew for each iteration (a new visitor) must not find its first
  // connection already open.
  const bool connect = std::all_of(file.scenarios.begin(), file.scenarios.end(), [](const auto& s) {
    return s.connections == scenario::Connections::kKeepAlive;
  });
  for (size_t i = 0; i < ready; ++i) {
    // Pushed last first, so that arrivals take VU 0, 1, 2... as they would without the pool.
    VirtualUser& vu = VuAt(ready - 1 - i);
    if (connect) vu.OpenConnection();
    idle_.push_back(&vu);
  }
}

void Engine::Start() {
  Prepare();
  if (OpenModel()) {
    ScheduleArrival();
  } else {
    Tick();
  }
}

void Engine::Tick() {
  tick_timer_ = net::TimerId{};
  if (stopping_) return;
  const int64_t now_ns = context_.loop->now_ns();
  const int64_t elapsed_us = (now_ns - context_.run_start_mono_ns) / 1000;
  const scenario::Execution& execution = context_.file->execution;
  if (elapsed_us >= execution.TotalDurationMs() * 1000) {
    Stop(context_.file->timeout_ms);
    return;
  }
  const VuStep step = VusAt(execution, elapsed_us);
  const size_t mine = ThreadShare(step.vus);
  // Only the VUs whose wish changed: the ones below both counts keep iterating as they were.
  for (size_t i = std::min(mine, wanted_count_); i < std::max(mine, wanted_count_); ++i) {
    const bool want = i < mine;
    VirtualUser& vu = VuAt(i);
    wanted_[i] = want;
    if (want && !vu.running()) {
      ++running_;
      vu.StartIteration(picker_.For(vu.global_id()), 0);
    }
  }
  wanted_count_ = mine;
  context_.recorder->SetLoad(context_.run_start_unix_us + elapsed_us, ActiveVus(), 0);
  int64_t next_ns = now_ns + kTickNs;
  if (step.next_us >= 0) {
    next_ns = std::min(next_ns, context_.run_start_mono_ns + step.next_us * 1000);
  }
  next_ns = std::max(next_ns, now_ns + kMinTickNs);
  tick_timer_ = context_.loop->RunAt(next_ns, [this] { Tick(); });
}

double Engine::ActiveVus() const { return static_cast<double>(running_); }

bool Engine::NextArrival() {
  // This thread takes the segment's arrivals q * threads + thread, numbered globally like VUs.
  int64_t segment_arrival = arrival_sequence_ * share_.thread_count + share_.thread_index;
  next_arrival_ = GlobalVu(segment_arrival, share_.segment);
  int64_t due_us = ArrivalTimeUs(context_.file->execution, next_arrival_);
  if (due_us < 0) return false;
  ++arrival_sequence_;
  next_due_ns_ = context_.run_start_mono_ns + due_us * 1000;
  return true;
}

void Engine::ScheduleArrival() {
  if (stopping_) return;
  if (!NextArrival()) {
    Stop(context_.file->timeout_ms);
    return;
  }
  ArmArrival();
}

void Engine::ArmArrival() {
  arrival_timer_ = context_.loop->RunAt(next_due_ns_, [this] {
    arrival_timer_ = net::TimerId{};
    ArriveDue();
  });
}

void Engine::ArriveDue() {
  // Every arrival due by now (or within kArrivalBatchNs) starts in this one wake-up, with one
  // timer for the next.
  const int64_t now_ns = context_.loop->now_ns();
  const int64_t now_unix_us =
      context_.run_start_unix_us + (now_ns - context_.run_start_mono_ns) / 1000;
  do {
    Arrive(next_arrival_, std::min(next_due_ns_, now_ns), now_unix_us);
    if (stopping_) return;
    if (!NextArrival()) {
      Stop(context_.file->timeout_ms);
      return;
    }
  } while (next_due_ns_ <= now_ns + kArrivalBatchNs);
  double rate = TargetAt(context_.file->execution, ElapsedMs());
  context_.recorder->SetLoad(now_unix_us, ActiveVus(), rate);
  ArmArrival();
}

void Engine::Arrive(int64_t global_arrival, int64_t due_ns, int64_t now_unix_us) {
  VirtualUser* vu = nullptr;
  if (!idle_.empty()) {
    vu = idle_.back();
    idle_.pop_back();
  } else if (vus_.size() < max_vus_) {
    vu = &VuAt(vus_.size());
  }
  if (vu == nullptr) {
    context_.recorder->CountDropped(now_unix_us);
  } else {
    ++running_;
    vu->StartIteration(picker_.For(global_arrival), due_ns);
  }
}

void Engine::OnIterationDone(VirtualUser& vu) {
  --running_;
  const int64_t now_unix_us =
      context_.run_start_unix_us + (MonotonicNowNs() - context_.run_start_mono_ns) / 1000;
  context_.recorder->CountIteration(now_unix_us);
  if (stopping_) {
    MaybeFinish();
    return;
  }
  if (OpenModel()) {
    idle_.push_back(&vu);
    // Arrivals already due start now, in this wake-up, rather than in one of their own.
    if (arrival_timer_.valid() && next_due_ns_ <= context_.loop->now_ns()) {
      context_.loop->Cancel(arrival_timer_);
      arrival_timer_ = net::TimerId{};
      ArriveDue();
    }
    return;
  }
  // Closed model: the VU goes on while the target still wants it.
  size_t local = static_cast<size_t>(
      ((vu.global_id() - (share_.segment.index - 1)) / share_.segment.count) / share_.thread_count);
  if (local < wanted_.size() && wanted_[local]) {
    ++running_;
    vu.StartIteration(picker_.For(vu.global_id()), 0);
  }
}

void Engine::Stop(int64_t grace_ms) {
  if (stopping_) return;
  stopping_ = true;
  context_.loop->Cancel(tick_timer_);
  context_.loop->Cancel(arrival_timer_);
  tick_timer_ = arrival_timer_ = net::TimerId{};
  grace_timer_ = context_.loop->RunAt(context_.loop->now_ns() + grace_ms * 1'000'000, [this] {
    grace_timer_ = net::TimerId{};
    for (auto& vu : vus_) {
      if (vu->running()) vu->Abandon();
    }
    running_ = 0;
    MaybeFinish();
  });
  MaybeFinish();
}

void Engine::MaybeFinish() {
  if (!stopping_ || running_ > 0 || finished()) return;
  context_.loop->Cancel(grace_timer_);
  grace_timer_ = net::TimerId{};
  context_.recorder->SetLoad(
      context_.run_start_unix_us + (context_.loop->now_ns() - context_.run_start_mono_ns) / 1000, 0,
      0);
  finished_at_ns_.store(MonotonicNowNs(), std::memory_order_release);
  finished_.store(true, std::memory_order_release);
}

}  // namespace fourdollar::load
