// A ring of receive buffers handed to io_uring (a provided buffer ring, Linux 5.19): a multishot
// receive takes a free buffer for each arrival and names it in its completion; the poller copies
// the bytes out and gives the buffer back at once. Used by the io_uring poller's streams.
// The kernel takes the buffers given to it in turn, so each one given ends up resident: the ring
// starts with a few and is given more (Grow) when a receive finds none free, so that a loop
// whose receives come a few at a time holds a few pages, not the whole ring.
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
  // Registers a ring of `count` (a power of two, at most 32768) buffers of `buffer_bytes` each
  // as buffer group `group` of `ring`, and gives the kernel the first `first` of them (at least
  // one, at most `count`). Fails on kernels without provided buffer rings.
  static Result<std::unique_ptr<UringBuffers>> Register(io_uring* ring, uint16_t group,
                                                        unsigned count, size_t buffer_bytes,
                                                        unsigned first);
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
  // Gives the kernel twice as many buffers as it has, up to the ring's size; false when it has
  // them all already.
  bool Grow();
  unsigned given() const { return given_; }

 private:
  UringBuffers(io_uring* ring, uint16_t group, unsigned count, size_t buffer_bytes)
      : ring_(ring), group_(group), count_(count), buffer_bytes_(buffer_bytes) {}
  // Hands buffers given_ .. given_ + n - 1 to the kernel.
  void Give(unsigned n);

  io_uring* ring_;
  uint16_t group_;
  unsigned count_;
  size_t buffer_bytes_;
  unsigned given_ = 0;                    // buffers 0 .. given_ - 1 are the kernel's or being read
  io_uring_buf_ring* entries_ = nullptr;  // mmap'd, shared with the kernel
  size_t entries_bytes_ = 0;
  char* memory_ = nullptr;  // mmap'd: count_ * buffer_bytes_, resident as the kernel fills it
  bool registered_ = false;
};

}  // namespace fourdollar::net
