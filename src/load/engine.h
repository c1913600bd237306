// One load thread's share of a run: its virtual users and the executor that starts their
// iterations (closed model: ramp VUs; open model: start iterations at the arrival rate).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "load/schedule.h"
#include "load/virtual_user.h"

namespace fourdollar::load {

struct EngineShare {
  Segment segment;
  int thread_index = 0;
  int thread_count = 1;
};

// Not thread-safe: every call on the loop's thread, except finished(), which any thread reads.
class Engine final : public IterationListener {
 public:
  Engine(VuContext context, EngineShare share);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Open model: makes this thread's share of the pre-allocated VUs and opens their connections
  // (when every scenario keeps its connection alive), so that the first arrivals find VUs ready
  // rather than each opening a connection. Run before Start, in the lead to the start; Start
  // runs it when it has not run.
  void Prepare();
  // Starts the executor; the run's start times are in the context.
  void Start();
  // Stops starting iterations; those in flight finish within `grace_ms`, then are abandoned.
  void Stop(int64_t grace_ms);
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // When the last iteration ended (monotonic ns); valid once finished().
  int64_t finished_at_ns() const { return finished_at_ns_.load(std::memory_order_acquire); }

  void OnIterationDone(VirtualUser& vu) override;

 private:
  bool OpenModel() const;
  // This thread's share of `total` VUs of the run: of its segment's, every thread_count-th.
  size_t ThreadShare(int64_t total) const;
  int64_t ElapsedMs() const;
  void Tick();  // closed model: adjusts the running VUs to the target
  // Open model: the next arrival of this thread (false: the schedule has no more).
  bool NextArrival();
  void ScheduleArrival();  // open model: arms the timer for this thread's next arrival
  void ArmArrival();
  void ArriveDue();  // starts every arrival due by now
  void Arrive(int64_t global_arrival, int64_t due_ns, int64_t now_unix_us);
  VirtualUser& VuAt(size_t local);
  void MaybeFinish();
  double ActiveVus() const;

  VuContext context_;
  const EngineShare share_;
  ScenarioPicker picker_;
  std::vector<std::unique_ptr<VirtualUser>> vus_;  // this thread's VUs, by local index
  std::vector<bool> wanted_;                       // closed model: should VU i keep iterating
  size_t wanted_count_ = 0;                        // closed model: VUs 0 .. this - 1 are wanted
  std::vector<VirtualUser*> idle_;                 // open model: VUs free for an arrival
  size_t running_ = 0;
  size_t max_vus_ = 0;            // open model: this thread's share of max_vus
  int64_t arrival_sequence_ = 0;  // this thread's arrivals so far
  int64_t next_arrival_ = 0;      // the next one: its global number and when it is due
  int64_t next_due_ns_ = 0;
  bool prepared_ = false;
  bool stopping_ = false;
  std::atomic<bool> finished_{false};
  std::atomic<int64_t> finished_at_ns_{0};
  net::TimerId tick_timer_;
  net::TimerId arrival_timer_;
  net::TimerId grace_timer_;
};

}  // namespace fourdollar::load
