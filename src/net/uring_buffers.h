// A ring of receive buffers handed to io_uring (a provided buffer ring, Linux 5.19): a multishot
// receive takes a free buffer for each arrival and names it in its completion; the poller copies
// the bytes out and gives the buffer back at once. Used by the io_uring poller's streams.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/result.h"

namespace fourdollar::net {

// Not thread-safe: used on the ring's thread. Unregistered and freed with the object, which
// must go before the ring does.
class UringBuffers {
 public:
  // Registers `count` (a power of two, at most 32768) buffers of `buffer_bytes` each as buffer
  // group `group` of `ring`. Fails on kernels without provided buffer rings.
  static Result<std::unique_ptr<UringBuffers>> Register(io_uring* ring, uint16_t group,
                                                        unsigned count, size_t buffer_bytes);
  ~UringBuffers();
  UringBuffers(const UringBuffers&) = delete;
  UringBuffers& operator=(const UringBuffers&) = delete;

  uint16_t group() const { return group_; }
  // The buffer a completion names (IORING_CQE_F_BUFFER; its id in the flags' upper bits).
  static uint16_t IdOf(uint32_t cqe_flags) {
    return static_cast<uint16_t>(cqe_flags >> IORING_CQE_BUFFER_SHIFT);
  }
  const char* Data(uint16_t id) const { return memory_ + size_t{id} * buffer_bytes_; }
  // Gives buffer `id` back to the kernel.
  void Recycle(uint16_t id);

 private:
  UringBuffers(io_uring* ring, uint16_t group, unsigned count, size_t buffer_bytes)
      : ring_(ring), group_(group), count_(count), buffer_bytes_(buffer_bytes) {}

  io_uring* ring_;
  uint16_t group_;
  unsigned count_;
  size_t buffer_bytes_;
  io_uring_buf_ring* entries_ = nullptr;  // mmap'd, shared with the kernel
  size_t entries_bytes_ = 0;
  char* memory_ = nullptr;  // mmap'd: count_ * buffer_bytes_
  bool registered_ = false;
};

}  // namespace fourdollar::net
