#include "net/epoll_poller.h"

#include <sys/epoll.h>

#include <cerrno>

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

bool EpollPoller::Wait(int timeout_ms, int64_t& now_ns) {
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, timeout_ms);
  now_ns = MonotonicNowNs();
  if (n < 0) return errno == EINTR;
  for (int i = 0; i < n; ++i) {
    static_cast<IoHandler*>(events[i].data.ptr)->OnIo(events[i].events);
  }
  return true;
}

}  // namespace fourdollar::net
