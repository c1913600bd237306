// The part of the event loop that waits for file descriptors: one implementation per kernel
// interface (epoll_poller.h, uring_poller.h), chosen when the loop is made (io_backend.h).
#pragma once

#include <cstdint>

#include <cstddef>

#include "base/result.h"
#include "net/io_backend.h"
#include "net/io_result.h"

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

  // Waits up to `timeout_ns` (-1: without limit) for events, sets `now_ns` to the monotonic time
  // the wait ended, then calls each handler whose file descriptor became ready. False when
  // waiting failed for good (the loop ends). The wait may end up to the thread's timer slack
  // (prctl PR_SET_TIMERSLACK, 50 µs by default) after `timeout_ns`, never before it.
  virtual bool Wait(int64_t timeout_ns, int64_t& now_ns) = 0;

  virtual IoBackend backend() const = 0;

  // Streams: plain sockets whose reads and writes the poller makes itself, sent to the kernel
  // with its waits, where a readiness poller needs a system call for each read and each write
  // (io_uring: one multishot receive per socket into the poller's buffers, sends queued until
  // the next Wait; epoll has no streams). The handler hears EPOLLIN when bytes, the end of
  // input (with EPOLLRDHUP) or an error came, and EPOLLOUT when the write it started ended.
  // Remove(fd) ends a stream as it ends a watch, and then `fd` may be closed at once.
  virtual bool HasStreams() const { return false; }
  virtual Status AddStream(int fd, IoHandler* handler);
  // As recv(2) on a non-blocking socket, from the bytes received so far.
  virtual IoResult StreamRead(int fd, char* buffer, size_t size);
  // As send(2) on a non-blocking socket whose every write blocks once: the first call copies
  // `data`, starts sending it and answers kWouldBlock; after EPOLLOUT, the next call answers
  // how many of those bytes went (kDone), or the error. The caller passes its unsent bytes
  // again, unchanged at their start (more may follow them), as it would after a short send.
  virtual IoResult StreamWrite(int fd, const char* data, size_t size);
};

}  // namespace fourdollar::net
