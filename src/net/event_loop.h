// One edge-triggered event loop per thread: sockets, timers and tasks posted from other
// threads all run here. Both the server and the load generator live on it. It waits with epoll
// or io_uring (io_backend.h).
#pragma once

#include <sys/epoll.h>  // the EPOLL* event bits of Add and IoHandler::OnIo

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "base/executor.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "net/io_backend.h"
#include "net/poller.h"

namespace fourdollar::net {

// Identifies a scheduled timer; a default-constructed one is "no timer".
struct TimerId {
  int64_t when_ns = 0;
  uint64_t sequence = 0;
  bool valid() const { return sequence != 0; }
};

// Not thread-safe except Post() and Stop(), which any thread may call.
class EventLoop final : public Executor {
 public:
  // A loop waiting with `backend`; io_uring fails here when the kernel refuses it
  // (ChooseIoBackend decides beforehand, with the fallback to epoll).
  static Result<std::unique_ptr<EventLoop>> Create(IoBackend backend = IoBackend::kEpoll);
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers `fd` (not owned) for `events` (EPOLLIN, EPOLLOUT...), edge-triggered.
  // `handler` must stay alive until Remove(fd); call Remove(fd) before closing `fd`.
  Status Add(int fd, uint32_t events, IoHandler* handler);
  void Remove(int fd);

  // Runs `task` on this thread at monotonic time `when_ns` (or soon after).
  TimerId RunAt(int64_t when_ns, std::function<void()> task);
  // Cancels a timer that has not run yet; harmless on one that ran or was cancelled.
  void Cancel(TimerId id);

  void Post(std::function<void()> task) override;

  // Runs until Stop(). Tasks posted before Stop() was called still run. Run() may be called
  // again after it returned: it runs until the next Stop().
  void Run();
  void Stop();

  // Monotonic time read at the start of this loop iteration: cheap, slightly stale.
  int64_t now_ns() const { return now_ns_; }

  IoBackend backend() const { return poller_->backend(); }

  // Streams (poller.h): plain sockets whose reads and writes the loop's poller makes, where it
  // can save a system call for each (io_uring). Without them (epoll), callers read and write.
  bool HasStreams() const { return poller_->HasStreams(); }
  Status AddStream(int fd, IoHandler* handler) { return poller_->AddStream(fd, handler); }
  IoResult StreamRead(int fd, char* buffer, size_t size) {
    return poller_->StreamRead(fd, buffer, size);
  }
  IoResult StreamWrite(int fd, const char* data, size_t size) {
    return poller_->StreamWrite(fd, data, size);
  }

 private:
  EventLoop(std::unique_ptr<Poller> poller, UniqueFd wake);
  class Wakeup;
  void RunDueTimers();
  void RunPosted();
  // How long the next wait may last: until the first timer is due (-1: no timer).
  int64_t TimeoutNs() const;

  std::unique_ptr<Poller> poller_;
  UniqueFd wake_;
  std::unique_ptr<Wakeup> wake_handler_;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> timers_;
  uint64_t timer_sequence_ = 0;
  int64_t now_ns_ = 0;
  bool stopping_ = false;

  std::mutex posted_mutex_;  // guards posted_ and stop_requested_: the only cross-thread state
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;
};

// Blocks `signals` in the calling thread (and in threads it starts afterwards).
void BlockSignals(std::initializer_list<int> signals);

}  // namespace fourdollar::net
