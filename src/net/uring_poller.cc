#include "net/uring_poller.h"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

#include "base/clock.h"

namespace fourdollar::net {

namespace {

constexpr unsigned kRingEntries = 1024;
// user_data of the cancel submissions: their own completions are dropped. Not ~0, which
// liburing reserves (LIBURING_UDATA_TIMEOUT) and takes out of the queue as an error of the wait.
// No poll has it: generations start at 1.
constexpr uint64_t kIgnoredUserData = 0;

uint64_t UserData(int fd, uint32_t generation) {
  return (uint64_t{generation} << 32) | static_cast<uint32_t>(fd);
}

// Multishot poll came with Linux 5.13, waiting with a timeout in one call (EXT_ARG) with 5.11;
// IORING_FEAT_CQE_SKIP (5.17) is the first feature bit that implies both.
Status CheckFeatures(const io_uring_params& params) {
  constexpr uint32_t kNeeded = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG | IORING_FEAT_CQE_SKIP;
  if ((params.features & kNeeded) != kNeeded) {
    return MakeError(ErrorCode::kUnavailable,
                     "the kernel's io_uring lacks multishot poll (needs Linux 5.17 or newer)");
  }
  return {};
}

// COOP_TASKRUN (Linux 5.19) saves interrupting the loop thread for completions it will reap
// anyway; older kernels refuse the flag with EINVAL, and then the ring is made without it.
Status InitRing(unsigned entries, io_uring* ring) {
  io_uring_params params{};
  params.flags = IORING_SETUP_COOP_TASKRUN;
  int rc = io_uring_queue_init_params(entries, ring, &params);
  if (rc == -EINVAL) {
    params = io_uring_params{};
    rc = io_uring_queue_init_params(entries, ring, &params);
  }
  if (rc < 0) return ErrnoError("io_uring_queue_init", -rc);
  if (Status features = CheckFeatures(params); !features) {
    io_uring_queue_exit(ring);
    return features;
  }
  return {};
}

}  // namespace

Status UringPoller::Probe() {
  io_uring ring{};
  if (Status made = InitRing(8, &ring); !made) return made;
  io_uring_queue_exit(&ring);
  return {};
}

Result<std::unique_ptr<Poller>> UringPoller::Create() {
  std::unique_ptr<UringPoller> poller(new UringPoller());
  if (Status made = InitRing(kRingEntries, &poller->ring_); !made) {
    return tl::unexpected(made.error());
  }
  return std::unique_ptr<Poller>(std::move(poller));
}

UringPoller::~UringPoller() { io_uring_queue_exit(&ring_); }

io_uring_sqe* UringPoller::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    // The submission queue is full: send what it holds now, then take a free entry.
    (void)io_uring_submit(&ring_);  // a refusal leaves the entries queued for the next try
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void UringPoller::Arm(int fd, const Slot& slot) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_poll_multishot(sqe, fd, slot.events);
  io_uring_sqe_set_data64(sqe, UserData(fd, slot.generation));
}

Status UringPoller::Add(int fd, uint32_t events, IoHandler* handler) {
  if (fd < 0) return ErrnoError("io_uring poll", EBADF);
  if (static_cast<size_t>(fd) >= slots_.size()) slots_.resize(static_cast<size_t>(fd) + 1);
  Slot& slot = slots_[static_cast<size_t>(fd)];
  if (slot.handler != nullptr) return ErrnoError("io_uring poll", EEXIST);
  if (++last_generation_ == 0) ++last_generation_;
  // Readiness is edge-triggered without IORING_POLL_ADD_LEVEL, as EPOLLET is on epoll.
  slot = Slot{handler, last_generation_, events};
  Arm(fd, slot);
  return {};
}

void UringPoller::Remove(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return;
  Slot& slot = slots_[static_cast<size_t>(fd)];
  if (slot.handler == nullptr) return;
  slot.handler = nullptr;
  // Sent with the next Wait, before it blocks: the caller's close() releases the socket then,
  // when the poll lets go of the file. A cancel, not a POLL_REMOVE: the kernel refuses the
  // latter (EALREADY) while a wake-up of the poll is in delivery, and the poll then holds the
  // file, so the socket stays open (no FIN, no reset), for the life of the ring. A wake-up is in
  // delivery when the peer wrote after the handler's last system call, or when the poll was
  // armed in this same batch on a ready socket (its Add was not sent yet, and another thread's
  // accept took the closed number meanwhile). A cancel marks the poll even then, and the
  // delivery completes it.
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_cancel64(sqe, UserData(fd, slot.generation), 0);
  io_uring_sqe_set_data64(sqe, kIgnoredUserData);
  io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);  // a completion only when it found none
}

void UringPoller::Complete(uint64_t user_data, int32_t result, uint32_t flags) {
  if (user_data == kIgnoredUserData) return;
  const int fd = static_cast<int>(static_cast<uint32_t>(user_data));
  const auto generation = static_cast<uint32_t>(user_data >> 32);
  if (static_cast<size_t>(fd) >= slots_.size()) return;
  const Slot& slot = slots_[static_cast<size_t>(fd)];
  if (slot.handler == nullptr || slot.generation != generation) return;  // removed since
  const bool ended = (flags & IORING_CQE_F_MORE) == 0;
  if (result < 0 && result != -ECANCELED) {
    // The poll itself failed: the handler's next read or write meets the error and closes.
    slot.handler->OnIo(EPOLLERR);
    return;
  }
  if (result > 0) slot.handler->OnIo(static_cast<uint32_t>(result));
  // A multishot poll can end without being removed (the kernel ends it when it cannot post a
  // completion): armed again, it reports at once if the fd is ready, so no edge is lost.
  const Slot& now = slots_[static_cast<size_t>(fd)];
  if (ended && now.handler != nullptr && now.generation == generation) Arm(fd, now);
}

bool UringPoller::Wait(int timeout_ms, int64_t& now_ns) {
  int rc = 0;
  io_uring_cqe* first = nullptr;
  if (timeout_ms < 0) {
    rc = io_uring_submit_and_wait(&ring_, 1);
  } else if (timeout_ms == 0) {
    rc = io_uring_submit(&ring_);
  } else {
    __kernel_timespec timeout{};
    timeout.tv_sec = timeout_ms / 1000;
    timeout.tv_nsec = static_cast<long long>(timeout_ms % 1000) * 1'000'000;
    rc = io_uring_submit_and_wait_timeout(&ring_, &first, 1, &timeout, nullptr);
  }
  now_ns = MonotonicNowNs();
  if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) return false;

  // Copied out and marked seen before any handler runs: a handler may Add or Remove (and so
  // submit), and never sees the completion queue half read. Every completion is taken each
  // turn: a full completion queue would end multishot polls.
  constexpr unsigned kBatch = 256;
  io_uring_cqe* cqes[kBatch];
  std::vector<Completion>& done = completions_;
  done.clear();
  // A multishot poll completes once per wake-up, where epoll reports a ready descriptor once per
  // wait with every event since: the completions of one poll are merged into one call, its
  // events or-ed, so that a listener woken by 500 connections is told once per turn, not 500
  // times (each Accept takes a turn's share of the backlog; 500 calls would accept every
  // connection before reading any of them).
  batch_index_.clear();
  for (unsigned n; (n = io_uring_peek_batch_cqe(&ring_, cqes, kBatch)) > 0;) {
    for (unsigned i = 0; i < n; ++i) {
      const Completion c{cqes[i]->user_data, cqes[i]->res, cqes[i]->flags};
      if (c.user_data == kIgnoredUserData) continue;
      auto [it, is_first] = batch_index_.try_emplace(c.user_data, done.size());
      if (is_first) {
        done.push_back(c);
        continue;
      }
      Completion& merged = done[it->second];
      if (merged.result >= 0 && c.result >= 0) {
        merged.result |= c.result;
      } else if (c.result < 0 && c.result != -ECANCELED) {
        merged.result = c.result;  // a failure decides
      }
      merged.flags &= c.flags;  // ended if any of them ended
    }
    io_uring_cq_advance(&ring_, n);
  }
  for (const Completion& c : done) Complete(c.user_data, c.result, c.flags);
  return true;
}

}  // namespace fourdollar::net
