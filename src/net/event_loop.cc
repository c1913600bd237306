#include "net/event_loop.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/clock.h"
#include "net/epoll_poller.h"
#include "net/uring_poller.h"

namespace fourdollar::net {

class EventLoop::Wakeup final : public IoHandler {
 public:
  explicit Wakeup(int fd) : fd_(fd) {}
  // One read takes the whole counter back to 0; the next write makes a new edge.
  void OnIo(uint32_t) override {
    uint64_t value = 0;
    [[maybe_unused]] ssize_t n = ::read(fd_, &value, sizeof value);
  }

 private:
  int fd_;
};

Result<std::unique_ptr<EventLoop>> EventLoop::Create(IoBackend backend) {
  Result<std::unique_ptr<Poller>> poller =
      backend == IoBackend::kIoUring ? UringPoller::Create() : EpollPoller::Create();
  if (!poller) return tl::unexpected(poller.error());
  UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) return ErrnoError("eventfd", errno);
  std::unique_ptr<EventLoop> loop(new EventLoop(std::move(*poller), std::move(wake)));
  if (Status s = loop->Add(loop->wake_.get(), EPOLLIN, loop->wake_handler_.get()); !s) {
    return tl::unexpected(s.error());
  }
  return loop;
}

EventLoop::EventLoop(std::unique_ptr<Poller> poller, UniqueFd wake)
    : poller_(std::move(poller)),
      wake_(std::move(wake)),
      wake_handler_(std::make_unique<Wakeup>(wake_.get())),
      now_ns_(MonotonicNowNs()) {}

EventLoop::~EventLoop() {
  // The wake eventfd is closed with the loop, after its registration.
  poller_->Remove(wake_.get());
}

Status EventLoop::Add(int fd, uint32_t events, IoHandler* handler) {
  return poller_->Add(fd, events, handler);
}

void EventLoop::Remove(int fd) { poller_->Remove(fd); }

TimerId EventLoop::RunAt(int64_t when_ns, std::function<void()> task) {
  TimerId id{when_ns, ++timer_sequence_};
  timers_.emplace(std::make_pair(id.when_ns, id.sequence), std::move(task));
  return id;
}

void EventLoop::Cancel(TimerId id) {
  if (id.valid()) timers_.erase({id.when_ns, id.sequence});
}

void EventLoop::Post(std::function<void()> task) {
  bool first = false;
  {
    std::lock_guard lock(posted_mutex_);
    first = posted_.empty();
    posted_.push_back(std::move(task));
  }
  // Tasks already waiting have woken the loop (or it is running them, after it took them
  // from the list under the lock): only the first of a batch writes the eventfd. The writer
  // thread completing a group commit of N posts wakes each loop once, not N times.
  if (!first) return;
  uint64_t one = 1;
  // A full eventfd counter still wakes the loop, so a failed write needs no handling.
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

void EventLoop::Stop() {
  {
    std::lock_guard lock(posted_mutex_);
    stop_requested_ = true;
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

int64_t EventLoop::TimeoutNs() const {
  if (timers_.empty()) return -1;
  // To the nanosecond: the open model measures a request from when its arrival was due, so a
  // wait rounded up to the millisecond would add up to 1 ms to what it reports.
  const int64_t wait_ns = timers_.begin()->first.first - MonotonicNowNs();
  return std::clamp<int64_t>(wait_ns, 0, 60'000'000'000);
}

void EventLoop::RunDueTimers() {
  while (!timers_.empty() && timers_.begin()->first.first <= now_ns_) {
    auto node = timers_.extract(timers_.begin());
    node.mapped()();
  }
}

void EventLoop::RunPosted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
    if (stop_requested_) {
      stopping_ = true;
      stop_requested_ = false;  // consumed: a Stop() arriving later stops the next Run()
    }
  }
  for (auto& task : tasks) task();
}

void EventLoop::Run() {
  while (!stopping_) {
    if (!poller_->Wait(TimeoutNs(), now_ns_)) break;
    RunPosted();
    now_ns_ = MonotonicNowNs();
    RunDueTimers();
  }
  stopping_ = false;
}

void BlockSignals(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace fourdollar::net
