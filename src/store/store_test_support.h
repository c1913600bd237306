// Test helpers for the store tests: a thread-backed executor, a settable clock, a fresh
// temporary folder, and bounded waits for callbacks.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/executor.h"
#include "base/metrics.h"
#include "base/result.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace fourdollar::store::testing {

// Every wait in the store tests is bounded by this.
inline constexpr std::chrono::seconds kWaitLimit{30};

// An event loop stand-in: one thread running posted tasks in order.
class ThreadExecutor final : public Executor {
 public:
  ThreadExecutor() : thread_([this] { Run(); }) {}
  ~ThreadExecutor() override {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  ThreadExecutor(const ThreadExecutor&) = delete;
  ThreadExecutor& operator=(const ThreadExecutor&) = delete;

  void Post(std::function<void()> task) override {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

  bool IsCurrentThread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopped_ || !tasks_.empty(); });
      if (stopped_) return;
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopped_ = false;
  std::thread thread_;
};

// A wall clock the test sets; monotonic time stands still.
class FakeClock final : public Clock {
 public:
  int64_t NowUnixMs() const override { return now_unix_ms_.load(); }
  int64_t MonotonicNs() const override { return 0; }
  void Set(int64_t unix_ms) { now_unix_ms_.store(unix_ms); }

 private:
  std::atomic<int64_t> now_unix_ms_{0};
};

using TempDir = test_support::TempDir;

// Starts an operation that reports through a callback taking a T, and waits for the report.
// `start` receives the callback. std::nullopt when no report came within kWaitLimit.
template <typename T, typename Start>
std::optional<T> Await(Start start) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  start([promise](T value) { promise->set_value(std::move(value)); });
  if (future.wait_for(kWaitLimit) != std::future_status::ready) return std::nullopt;
  return future.get();
}

// Waits, bounded, until the store's listener for other instances' commits is connected (its
// start-up bump of the generations is done). True at once for a store without one.
inline bool Listening(const Store& store) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (true) {
    std::string text;
    MetricsWriter out(text);
    store.WriteMetrics(out);
    if (text.find("fourdollar_pg_connected{connection=\"listener\"} 0") == std::string::npos) {
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
}

// Counts completions from any thread and waits, bounded, for an expected number of them.
class CompletionCounter {
 public:
  void Add() {
    // Notifying under the lock: the waiter may destroy the counter as soon as it sees the count.
    std::lock_guard lock(mutex_);
    ++count_;
    changed_.notify_all();
  }
  // True when `expected` completions arrived within kWaitLimit.
  bool WaitFor(size_t expected) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return count_ >= expected; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t count_ = 0;
};

}  // namespace fourdollar::store::testing
