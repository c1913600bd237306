#include "net/uring_buffers.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

namespace fourdollar::net {

namespace {

void* MapAnonymous(size_t bytes) {
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return memory == MAP_FAILED ? nullptr : memory;
}

}  // namespace

Result<std::unique_ptr<UringBuffers>> UringBuffers::Register(io_uring* ring, uint16_t group,
                                                             unsigned count, size_t buffer_bytes,
                                                             unsigned first) {
  if (count == 0 || count > 32768 || (count & (count - 1)) != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "a buffer ring's size must be a power of two");
  }
  if (first == 0 || first > count) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a buffer ring starts with between one buffer and all of them");
  }
  std::unique_ptr<UringBuffers> buffers(new UringBuffers(ring, group, count, buffer_bytes));
  // The ring of entries must be page-aligned: mmap gives that.
  buffers->entries_bytes_ = count * sizeof(io_uring_buf);
  buffers->entries_ = static_cast<io_uring_buf_ring*>(MapAnonymous(buffers->entries_bytes_));
  if (buffers->entries_ == nullptr) return ErrnoError("mmap of an io_uring buffer ring", errno);
  buffers->memory_ = static_cast<char*>(MapAnonymous(count * buffer_bytes));
  if (buffers->memory_ == nullptr) return ErrnoError("mmap of io_uring buffers", errno);

  io_uring_buf_reg registration{};
  registration.ring_addr = reinterpret_cast<uint64_t>(buffers->entries_);
  registration.ring_entries = count;
  registration.bgid = group;
  if (int rc = io_uring_register_buf_ring(ring, &registration, 0); rc < 0) {
    return ErrnoError("io_uring_register_buf_ring", -rc);
  }
  buffers->registered_ = true;
  io_uring_buf_ring_init(buffers->entries_);
  buffers->Give(first);
  return buffers;
}

void UringBuffers::Give(unsigned n) {
  const int mask = io_uring_buf_ring_mask(count_);
  for (unsigned i = 0; i < n; ++i) {
    const unsigned id = given_ + i;
    io_uring_buf_ring_add(entries_, memory_ + size_t{id} * buffer_bytes_,
                          static_cast<unsigned>(buffer_bytes_), static_cast<unsigned short>(id),
                          mask, static_cast<int>(i));
  }
  io_uring_buf_ring_advance(entries_, static_cast<int>(n));
  given_ += n;
}

bool UringBuffers::Grow() {
  if (given_ == count_) return false;
  Give(std::min(given_, count_ - given_));
  return true;
}

UringBuffers::~UringBuffers() {
  if (registered_) (void)io_uring_unregister_buf_ring(ring_, group_);
  if (memory_ != nullptr) ::munmap(memory_, count_ * buffer_bytes_);
  if (entries_ != nullptr) ::munmap(entries_, entries_bytes_);
}

void UringBuffers::Recycle(uint16_t id) {
  io_uring_buf_ring_add(entries_, memory_ + size_t{id} * buffer_bytes_,
                        static_cast<unsigned>(buffer_bytes_), id, io_uring_buf_ring_mask(count_),
                        0);
  io_uring_buf_ring_advance(entries_, 1);
}

}  // namespace fourdollar::net
