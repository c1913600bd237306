// The epoll Poller: one edge-triggered epoll set; Add and Remove are one epoll_ctl each.
#pragma once

#include <memory>

#include "base/unique_fd.h"
#include "net/poller.h"

namespace fourdollar::net {

class EpollPoller final : public Poller {
 public:
  static Result<std::unique_ptr<Poller>> Create();
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  Status Add(int fd, uint32_t events, IoHandler* handler) override;
  void Remove(int fd) override;
  bool Wait(int64_t timeout_ns, int64_t& now_ns) override;
  IoBackend backend() const override { return IoBackend::kEpoll; }

 private:
  explicit EpollPoller(UniqueFd epoll) : epoll_(std::move(epoll)) {}

  UniqueFd epoll_;
  // epoll_pwait2 (Linux 5.11) waits to the nanosecond; where the kernel or a seccomp profile
  // refuses it, epoll_wait's whole milliseconds (rounded up) serve instead.
  bool nanosecond_wait_ = true;
};

}  // namespace fourdollar::net
