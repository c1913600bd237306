// The part of the event loop that waits for file descriptors: one implementation per kernel
// interface (epoll_poller.h, uring_poller.h), chosen when the loop is made (io_backend.h).
#pragma once

#include <cstdint>

#include "base/result.h"
#include "net/io_backend.h"

namespace fourdollar::net {

// Receives readiness events for one file descriptor. Called on the loop thread.
class IoHandler {
 public:
  virtual void OnIo(uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

// Edge-triggered readiness for many file descriptors. Used by one thread at a time (the loop's).
class Poller {
 public:
  virtual ~Poller() = default;

  // Watches `fd` (not owned) for `events` (EPOLLIN, EPOLLOUT, EPOLLRDHUP...), edge-triggered:
  // the handler hears of each change to ready, and once at the start if `fd` is ready already.
  // `handler` must stay alive until Remove(fd); call Remove(fd) before closing `fd`.
  virtual Status Add(int fd, uint32_t events, IoHandler* handler) = 0;
  virtual void Remove(int fd) = 0;

  // Waits up to `timeout_ms` (-1: without limit) for events, sets `now_ns` to the monotonic time
  // the wait ended, then calls each handler whose file descriptor became ready. False when
  // waiting failed for good (the loop ends).
  virtual bool Wait(int timeout_ms, int64_t& now_ns) = 0;

  virtual IoBackend backend() const = 0;
};

}  // namespace fourdollar::net
