// The io_uring Poller, readiness-based: each file descriptor has one multishot IORING_OP_POLL_ADD
// (edge-triggered, like the epoll backend), so the server and the load generator keep doing their
// own reads and writes. Add and Remove only queue submissions; Wait sends them all and waits for
// completions in one io_uring_enter per loop iteration, where epoll needs one epoll_ctl per Add
// or Remove and one epoll_wait.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/poller.h"

namespace fourdollar::net {

class UringPoller final : public Poller {
 public:
  // Whether this process may make a ring on a kernel with what this poller needs: an error
  // naming the refused call (seccomp, io_uring disabled: EPERM, ENOSYS) or the missing feature.
  static Status Probe();
  static Result<std::unique_ptr<Poller>> Create();
  ~UringPoller() override;
  UringPoller(const UringPoller&) = delete;
  UringPoller& operator=(const UringPoller&) = delete;

  Status Add(int fd, uint32_t events, IoHandler* handler) override;
  void Remove(int fd) override;
  bool Wait(int timeout_ms, int64_t& now_ns) override;
  IoBackend backend() const override { return IoBackend::kIoUring; }

 private:
  // One per file descriptor number. A completion carries the fd and the generation of the Add
  // that armed it, so a completion still queued for a removed (or closed and reused) fd number
  // is told apart from the current registration and dropped.
  struct Slot {
    IoHandler* handler = nullptr;  // null: not registered
    uint32_t generation = 0;
    uint32_t events = 0;
  };

  UringPoller() = default;
  io_uring_sqe* NextSqe();
  void Arm(int fd, const Slot& slot);
  void Complete(uint64_t user_data, int32_t result, uint32_t flags);

  struct Completion {
    uint64_t user_data;
    int32_t result;
    uint32_t flags;
  };

  io_uring ring_{};
  std::vector<Slot> slots_;
  std::vector<Completion> completions_;               // of one Wait, kept to reuse its memory
  std::unordered_map<uint64_t, size_t> batch_index_;  // user_data -> index in completions_
  uint32_t last_generation_ = 0;
};

}  // namespace fourdollar::net
