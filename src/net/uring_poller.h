// The io_uring Poller. Watches are readiness-based: each file descriptor has one multishot
// IORING_OP_POLL_ADD (edge-triggered, like the epoll backend), and its owner does its own reads
// and writes (a listener, a TLS socket). Streams (poller.h) are completion-based: one multishot
// receive per socket into a ring of the poller's buffers (uring_buffers.h), and each write a
// send queued with the next wait, so a request read and answered costs no system call of its
// own. Add, Remove and writes only queue submissions; Wait sends them all and waits for
// completions in one io_uring_enter per loop iteration.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/poller.h"
#include "net/uring_buffers.h"

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
  bool Wait(int64_t timeout_ns, int64_t& now_ns) override;
  IoBackend backend() const override { return IoBackend::kIoUring; }

  // Streams need multishot receives into provided buffer rings (Linux 6.0): without them,
  // HasStreams() is false and the owners read and write their sockets themselves.
  bool HasStreams() const override { return buffers_ != nullptr; }
  // How many receive buffers the kernel was given so far (it grows with the receives that
  // complete between two waits).
  unsigned receive_buffers() const { return buffers_ ? buffers_->given() : 0; }
  Status AddStream(int fd, IoHandler* handler) override;
  IoResult StreamRead(int fd, char* buffer, size_t size) override;
  IoResult StreamWrite(int fd, const char* data, size_t size) override;

 private:
  // What a submission does; its completion carries it with the fd and the generation.
  enum class Op : uint8_t { kPoll = 0, kReceive = 1, kSend = 2 };

  // A stream's bytes on the poller's side.
  struct Stream {
    std::string in;  // received, not read yet: from in_offset on
    size_t in_offset = 0;
    bool end_of_input = false;
    int read_error = 0;
    bool receiving = false;       // a multishot receive is armed
    bool receive_paused = false;  // stopped while `in` holds too much unread
    enum class Send : uint8_t { kNone, kInFlight, kEnded } send = Send::kNone;
    int32_t send_result = 0;  // of the ended send: bytes, or -errno
    int write_error = 0;
    std::string out;               // the bytes of the send in flight
    uint64_t queued_in_round = 0;  // submit_round_ when a submission naming the fd was queued
  };

  // One per file descriptor number. A completion carries the fd and the generation of the Add
  // that armed it, so a completion still queued for a removed (or closed and reused) fd number
  // is told apart from the current registration and dropped.
  struct Slot {
    IoHandler* handler = nullptr;  // null: not registered
    uint32_t generation = 0;
    uint32_t events = 0;
    std::unique_ptr<Stream> stream;  // null: a readiness watch
  };

  // The events of one registration in one Wait: its completions merged into one call.
  struct Notice {
    int fd;
    uint32_t generation;
    uint32_t events;
    bool poll_ended;   // the multishot poll ended: armed again after the call
    bool poll_failed;  // ... with an error: the handler hears EPOLLERR, not armed again
  };

  UringPoller() = default;
  // Claims the slot of `fd` for `handler` with a new generation; EEXIST if it is taken.
  Result<Slot*> Register(int fd, IoHandler* handler, uint32_t events, bool stream);
  io_uring_sqe* NextSqe();
  void Submit();
  void Arm(int fd, const Slot& slot);
  void ArmReceive(int fd, Slot& slot);
  void QueueCancel(uint64_t user_data);
  // Takes one completion's effect on its slot's stream; the events its handler must hear.
  uint32_t Received(int fd, Slot& slot, const io_uring_cqe& cqe);
  uint32_t SendEnded(Slot& slot, int32_t result);
  // A completion of a registration that is gone: frees what it held.
  void DropStale(Op op, uint64_t user_data, const io_uring_cqe& cqe);
  Stream* StreamOf(int fd);
  uint32_t NextGeneration();
  // A stream's input or output buffer: taken from the spares when it has none, given back (and
  // left without one) when it is emptied.
  void TakeSpare(std::string& buffer);
  void GiveBack(std::string& buffer);

  io_uring ring_{};
  std::unique_ptr<UringBuffers> buffers_;  // before ring_ is torn down: see the destructor
  std::vector<Slot> slots_;
  std::vector<Notice> notices_;                        // of one Wait, kept to reuse its memory
  std::unordered_map<uint64_t, size_t> notice_index_;  // (generation, fd) -> index in notices_
  // Streams removed while their send was in flight, kept until it completes: the kernel may
  // read the bytes until then.
  std::unordered_map<uint64_t, std::unique_ptr<Stream>> orphaned_sends_;
  std::vector<std::string> spare_buffers_;  // emptied, kept for the next stream's use
  uint32_t last_generation_ = 0;
  uint64_t submit_round_ = 1;    // counts submissions sent to the kernel
  uint64_t grown_in_round_ = 0;  // when the receive buffers were last grown
};

}  // namespace fourdollar::net
