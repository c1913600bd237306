#include "net/epoll_poller.h"

#include <sys/epoll.h>

#include <cerrno>
#include <ctime>

#include "base/clock.h"

namespace fourdollar::net {

Result<std::unique_ptr<Poller>> EpollPoller::Create() {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return ErrnoError("epoll_create1", errno);
  return std::unique_ptr<Poller>(new EpollPoller(std::move(epoll)));
}

Status EpollPoller::Add(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events | EPOLLET;
  ev.data.ptr = handler;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return ErrnoError("epoll_ctl", errno);
  return {};
}

void EpollPoller::Remove(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

bool EpollPoller::Wait(int64_t timeout_ns, int64_t& now_ns) {
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  int n = -1;
  if (nanosecond_wait_) {
    timespec timeout{static_cast<time_t>(timeout_ns / 1'000'000'000),
                     static_cast<long>(timeout_ns % 1'000'000'000)};
    n = ::epoll_pwait2(epoll_.get(), events, kMaxEvents, timeout_ns < 0 ? nullptr : &timeout,
                       nullptr);
    // ENOSYS: a kernel before 5.11; EPERM: a seccomp profile written before the call existed
    // (older container runtimes refuse it so). epoll_pwait2 has no EPERM of its own.
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) nanosecond_wait_ = false;
  }
  if (!nanosecond_wait_) {
    // Rounded up, so a timer never fires early.
    int timeout_ms = timeout_ns < 0 ? -1 : static_cast<int>((timeout_ns + 999'999) / 1'000'000);
    n = ::epoll_wait(epoll_.get(), events, kMaxEvents, timeout_ms);
  }
  now_ns = MonotonicNowNs();
  if (n < 0) return errno == EINTR;
  for (int i = 0; i < n; ++i) {
    static_cast<IoHandler*>(events[i].data.ptr)->OnIo(events[i].events);
  }
  return true;
}

}  // namespace fourdollar::net
