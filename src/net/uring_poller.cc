#include "net/uring_poller.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.h"

namespace fourdollar::net {

namespace {

constexpr unsigned kRingEntries = 1024;
// user_data of submissions whose own completions are dropped (poll removals, cancellations).
// Not ~0, which liburing reserves (LIBURING_UDATA_TIMEOUT) and takes out of the queue as an
// error of the wait. No registration has it: generations start at 1.
constexpr uint64_t kIgnoredUserData = 0;
// user_data: the operation in bits 62-63, the generation in bits 32-61, the fd in bits 0-31.
constexpr uint32_t kGenerationMask = (1u << 30) - 1;

// The receive buffers of a loop's streams: up to 128 of 4 KiB (512 KiB). A request's head fits
// one; a body takes several. Each is copied out and given back as soon as its completion is
// read, so the ring runs dry only when more receives complete between two waits than it has
// buffers; a receive that finds it dry ends (ENOBUFS), the ring is given twice as many (once per
// wait), and the receive is armed again. It starts with 16 (64 KiB): a loop whose receives come a
// few at a time (thousands of idle connections) never makes the rest resident. Every buffer the
// ring was ever given stays resident, and one burst (thousands of connections answered in one
// wait after a stall of the host) gives it all of them: at 256 that was 1 MiB, a fifth of the
// memory budget of 5,000 idle virtual users (2 KB each, docs/benchmarks.md); at 128 a tenth.
constexpr uint16_t kBufferGroup = 0;
constexpr unsigned kReceiveBuffers = 128;
constexpr unsigned kFirstReceiveBuffers = 16;
constexpr size_t kReceiveBufferBytes = 4096;
// Unread input a stream holds before its receive stops (and TCP's window holds the peer back),
// as a socket's buffer would; it starts again when half of it was read.
constexpr size_t kStreamInputLimit = 256 << 10;
// Bytes one send takes (the caller passes the rest again).
constexpr size_t kMaxSendBytes = 1 << 20;
// A stream holds a buffer for its input only while it has unread bytes, and for its output only
// while a send is in flight: an idle connection holds none. Buffers let go of are kept for the
// next stream that needs one, so a busy connection allocates none either; up to kSpareBuffers
// of them, none larger than kSpareBufferBytes (larger ones are freed).
constexpr size_t kSpareBuffers = 64;
constexpr size_t kSpareBufferBytes = 64 << 10;

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

// Multishot receive came with Linux 6.0, as did IORING_SETUP_SINGLE_ISSUER, which older
// kernels refuse: a ring made with it tells the two apart. (Buffer rings, 5.19, are checked
// when registered.)
bool KernelHasMultishotReceive() {
  io_uring ring{};
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER;
  if (io_uring_queue_init_params(2, &ring, &params) < 0) return false;
  io_uring_queue_exit(&ring);
  return true;
}

// A short string's bytes live inside it: the capacity of an empty string is all it has
// (15 bytes in libstdc++), no buffer of its own.
bool HoldsBuffer(const std::string& s) { return s.capacity() > std::string().capacity(); }

uint64_t UserData(int fd, uint32_t generation, uint8_t op) {
  return (uint64_t{op} << 62) | (uint64_t{generation & kGenerationMask} << 32) |
         static_cast<uint32_t>(fd);
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
  // Without streams the poller still watches: their owners then read and write themselves.
  if (KernelHasMultishotReceive()) {
    Result<std::unique_ptr<UringBuffers>> buffers = UringBuffers::Register(
        &poller->ring_, kBufferGroup, kReceiveBuffers, kReceiveBufferBytes, kFirstReceiveBuffers);
    if (buffers) poller->buffers_ = std::move(*buffers);
  }
  return std::unique_ptr<Poller>(std::move(poller));
}

UringPoller::~UringPoller() {
  buffers_.reset();  // unregistered while the ring is alive
  io_uring_queue_exit(&ring_);
}

uint32_t UringPoller::NextGeneration() {
  if (++last_generation_ > kGenerationMask) last_generation_ = 1;
  return last_generation_;
}

void UringPoller::Submit() {
  (void)io_uring_submit(&ring_);  // a refusal leaves the entries queued for the next try
  ++submit_round_;
}

io_uring_sqe* UringPoller::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    // The submission queue is full: send what it holds now, then take a free entry.
    Submit();
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void UringPoller::Arm(int fd, const Slot& slot) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_poll_multishot(sqe, fd, slot.events);
  io_uring_sqe_set_data64(sqe, UserData(fd, slot.generation, static_cast<uint8_t>(Op::kPoll)));
}

void UringPoller::ArmReceive(int fd, Slot& slot) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffers_->group();
  io_uring_sqe_set_data64(sqe, UserData(fd, slot.generation, static_cast<uint8_t>(Op::kReceive)));
  slot.stream->receiving = true;
  slot.stream->queued_in_round = submit_round_;
}

void UringPoller::QueueCancel(uint64_t user_data) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_cancel64(sqe, user_data, 0);
  io_uring_sqe_set_data64(sqe, kIgnoredUserData);
  io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);  // a completion only when it found none
}

Result<UringPoller::Slot*> UringPoller::Register(int fd, IoHandler* handler, uint32_t events,
                                                 bool stream) {
  const char* what = stream ? "io_uring receive" : "io_uring poll";
  if (fd < 0) return ErrnoError(what, EBADF);
  if (static_cast<size_t>(fd) >= slots_.size()) slots_.resize(static_cast<size_t>(fd) + 1);
  Slot& slot = slots_[static_cast<size_t>(fd)];
  if (slot.handler != nullptr) return ErrnoError(what, EEXIST);
  slot.handler = handler;
  slot.generation = NextGeneration();
  slot.events = events;
  slot.stream = stream ? std::make_unique<Stream>() : nullptr;
  return &slot;
}

Status UringPoller::Add(int fd, uint32_t events, IoHandler* handler) {
  Result<Slot*> slot = Register(fd, handler, events, false);
  if (!slot) return tl::unexpected(slot.error());
  // Readiness is edge-triggered without IORING_POLL_ADD_LEVEL, as EPOLLET is on epoll.
  Arm(fd, **slot);
  return {};
}

Status UringPoller::AddStream(int fd, IoHandler* handler) {
  if (!HasStreams()) return Poller::AddStream(fd, handler);
  Result<Slot*> slot = Register(fd, handler, 0, true);
  if (!slot) return tl::unexpected(slot.error());
  ArmReceive(fd, **slot);
  return {};
}

void UringPoller::Remove(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return;
  Slot& slot = slots_[static_cast<size_t>(fd)];
  if (slot.handler == nullptr) return;
  slot.handler = nullptr;
  if (!slot.stream) {
    // Sent with the next Wait, before it blocks: the caller's close() releases the socket
    // then, when the poll lets go of the file. A cancel, not a POLL_REMOVE: the kernel refuses
    // the latter (EALREADY) while a wake-up of the poll is in delivery, and the poll then holds
    // the file, so the socket stays open (no FIN, no reset), for the life of the ring. A wake-up
    // is in delivery when the peer wrote after the handler's last system call, or when the poll
    // was armed in this same batch on a ready socket (its Add was not sent yet, and another
    // thread's accept took the closed number meanwhile). A cancel marks the poll even then, and
    // the delivery completes it.
    QueueCancel(UserData(fd, slot.generation, static_cast<uint8_t>(Op::kPoll)));
    return;
  }
  Stream& stream = *slot.stream;
  if (stream.receiving) {
    QueueCancel(UserData(fd, slot.generation, static_cast<uint8_t>(Op::kReceive)));
  }
  const bool queued_unsent = stream.queued_in_round == submit_round_;
  if (stream.send == Stream::Send::kInFlight) {
    // Only a stream closed before its send ended (a deadline, an error) has one: the kernel
    // may still read the bytes until the cancellation completes. The stream is kept whole,
    // not its string moved: a short string's bytes live inside it.
    const uint64_t send = UserData(fd, slot.generation, static_cast<uint8_t>(Op::kSend));
    QueueCancel(send);
    orphaned_sends_.emplace(send, std::move(slot.stream));
  } else {
    GiveBack(stream.in);
    GiveBack(stream.out);
    slot.stream.reset();
  }
  // A receive or a send queued since the last submission names the fd by its number: sent
  // now, before the caller closes it and a new socket can take the number.
  if (queued_unsent) Submit();
}

UringPoller::Stream* UringPoller::StreamOf(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return nullptr;
  Slot& slot = slots_[static_cast<size_t>(fd)];
  return slot.handler != nullptr ? slot.stream.get() : nullptr;
}

IoResult UringPoller::StreamRead(int fd, char* buffer, size_t size) {
  Stream* stream = StreamOf(fd);
  if (stream == nullptr) return {IoResult::Kind::kError, 0, EBADF};
  const size_t unread = stream->in.size() - stream->in_offset;
  if (unread == 0) {
    if (stream->read_error != 0) return {IoResult::Kind::kError, 0, stream->read_error};
    if (stream->end_of_input) return {IoResult::Kind::kEof, 0, 0};
    return {IoResult::Kind::kWouldBlock, 0, 0};
  }
  const size_t n = std::min(size, unread);
  std::memcpy(buffer, stream->in.data() + stream->in_offset, n);
  stream->in_offset += n;
  if (stream->in_offset == stream->in.size()) {
    GiveBack(stream->in);
    stream->in_offset = 0;
  }
  if (stream->receive_paused && unread - n <= kStreamInputLimit / 2) {
    stream->receive_paused = false;
    if (!stream->receiving && !stream->end_of_input && stream->read_error == 0) {
      ArmReceive(fd, slots_[static_cast<size_t>(fd)]);
    }
  }
  return {IoResult::Kind::kDone, n, 0};
}

IoResult UringPoller::StreamWrite(int fd, const char* data, size_t size) {
  Stream* stream = StreamOf(fd);
  if (stream == nullptr) return {IoResult::Kind::kError, 0, EBADF};
  if (stream->send == Stream::Send::kEnded) {
    stream->send = Stream::Send::kNone;
    if (stream->send_result >= 0) {
      return {IoResult::Kind::kDone, static_cast<size_t>(stream->send_result), 0};
    }
    stream->write_error = -stream->send_result;
  }
  if (stream->write_error != 0) return {IoResult::Kind::kError, 0, stream->write_error};
  if (stream->send == Stream::Send::kInFlight) return {IoResult::Kind::kWouldBlock, 0, 0};
  if (size == 0) return {IoResult::Kind::kDone, 0, 0};
  TakeSpare(stream->out);
  stream->out.assign(data, std::min(size, kMaxSendBytes));
  Slot& slot = slots_[static_cast<size_t>(fd)];
  io_uring_sqe* sqe = NextSqe();
  // MSG_WAITALL: the kernel sends it all, waiting for room as it must, before it completes.
  io_uring_prep_send(sqe, fd, stream->out.data(), stream->out.size(), MSG_NOSIGNAL | MSG_WAITALL);
  io_uring_sqe_set_data64(sqe, UserData(fd, slot.generation, static_cast<uint8_t>(Op::kSend)));
  stream->send = Stream::Send::kInFlight;
  stream->queued_in_round = submit_round_;
  return {IoResult::Kind::kWouldBlock, 0, 0};
}

uint32_t UringPoller::Received(int fd, Slot& slot, const io_uring_cqe& cqe) {
  Stream& stream = *slot.stream;
  const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
  uint32_t events = 0;
  if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    const uint16_t id = UringBuffers::IdOf(cqe.flags);
    TakeSpare(stream.in);
    stream.in.append(buffers_->Data(id), static_cast<size_t>(cqe.res));
    buffers_->Recycle(id);
    events = EPOLLIN;
    if (more && !stream.receive_paused && stream.in.size() - stream.in_offset > kStreamInputLimit) {
      stream.receive_paused = true;
      QueueCancel(UserData(fd, slot.generation, static_cast<uint8_t>(Op::kReceive)));
    }
  } else if (cqe.res == 0) {
    stream.end_of_input = true;
    events = EPOLLIN | EPOLLRDHUP;
  } else if (cqe.res == -ENOBUFS) {
    if (grown_in_round_ != submit_round_) {
      grown_in_round_ = submit_round_;
      buffers_->Grow();
    }
  } else if (cqe.res < 0 && cqe.res != -ECANCELED) {
    // A reset or another socket error: told as epoll tells it, also to an owner that is not
    // reading now (answering, or closing after its answer).
    stream.read_error = -cqe.res;
    events = EPOLLIN | EPOLLERR | EPOLLHUP;
  }
  if (!more) {
    stream.receiving = false;
    // Ended by a dry buffer ring (armed again, unless it ended holding too much unread: then
    // paused, as the cancellation does), or by a cancellation whose pause is already over.
    if (stream.in.size() - stream.in_offset > kStreamInputLimit) stream.receive_paused = true;
    if (!stream.end_of_input && stream.read_error == 0 && !stream.receive_paused) {
      ArmReceive(fd, slot);
    }
  }
  return events;
}

uint32_t UringPoller::SendEnded(Slot& slot, int32_t result) {
  Stream& stream = *slot.stream;
  stream.send = Stream::Send::kEnded;
  stream.send_result = result;
  GiveBack(stream.out);
  return EPOLLOUT;
}

void UringPoller::TakeSpare(std::string& buffer) {
  if (HoldsBuffer(buffer) || spare_buffers_.empty()) return;
  buffer.swap(spare_buffers_.back());
  spare_buffers_.pop_back();
}

void UringPoller::GiveBack(std::string& buffer) {
  std::string held;
  held.swap(buffer);
  if (!HoldsBuffer(held) || held.capacity() > kSpareBufferBytes ||
      spare_buffers_.size() >= kSpareBuffers) {
    return;
  }
  held.clear();
  spare_buffers_.push_back(std::move(held));
}

void UringPoller::DropStale(Op op, uint64_t user_data, const io_uring_cqe& cqe) {
  if (op == Op::kReceive && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    buffers_->Recycle(UringBuffers::IdOf(cqe.flags));
  } else if (op == Op::kSend) {
    orphaned_sends_.erase(user_data);
  }
}

bool UringPoller::Wait(int64_t timeout_ns, int64_t& now_ns) {
  int rc = 0;
  io_uring_cqe* first = nullptr;
  if (timeout_ns < 0) {
    rc = io_uring_submit_and_wait(&ring_, 1);
  } else if (timeout_ns == 0) {
    rc = io_uring_submit(&ring_);
  } else {
    __kernel_timespec timeout{};
    timeout.tv_sec = timeout_ns / 1'000'000'000;
    timeout.tv_nsec = timeout_ns % 1'000'000'000;
    rc = io_uring_submit_and_wait_timeout(&ring_, &first, 1, &timeout, nullptr);
  }
  ++submit_round_;
  now_ns = MonotonicNowNs();
  if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) return false;

  // Every completion is taken first (a full completion queue would end multishot requests),
  // its bytes and results kept in its stream; then each registration's handler is called once
  // with the events of all its completions. A multishot poll completes once per wake-up,
  // where epoll reports a ready descriptor once per wait with every event since: a listener
  // woken by 500 connections is told once per turn, not 500 times (each Accept takes a turn's
  // share of the backlog; 500 calls would accept every connection before reading any of them).
  // No handler runs while the queue is half read: a handler may Add or Remove (and submit).
  constexpr unsigned kBatch = 256;
  io_uring_cqe* cqes[kBatch];
  notices_.clear();
  notice_index_.clear();
  for (unsigned n; (n = io_uring_peek_batch_cqe(&ring_, cqes, kBatch)) > 0;) {
    for (unsigned i = 0; i < n; ++i) {
      const io_uring_cqe& cqe = *cqes[i];
      const uint64_t user_data = cqe.user_data;
      if (user_data == kIgnoredUserData) continue;
      const auto op = static_cast<Op>(user_data >> 62);
      const auto generation = static_cast<uint32_t>(user_data >> 32) & kGenerationMask;
      const int fd = static_cast<int>(static_cast<uint32_t>(user_data));
      Slot* slot =
          static_cast<size_t>(fd) < slots_.size() ? &slots_[static_cast<size_t>(fd)] : nullptr;
      if (slot == nullptr || slot->handler == nullptr || slot->generation != generation) {
        DropStale(op, user_data, cqe);  // removed since
        continue;
      }
      uint32_t events = 0;
      bool poll_ended = false;
      bool poll_failed = false;
      switch (op) {
        case Op::kPoll:
          poll_ended = (cqe.flags & IORING_CQE_F_MORE) == 0;
          if (cqe.res < 0 && cqe.res != -ECANCELED) {
            // The poll itself failed: the handler's next read or write meets the error.
            poll_failed = true;
            events = EPOLLERR;
          } else if (cqe.res > 0) {
            events = static_cast<uint32_t>(cqe.res);
          }
          break;
        case Op::kReceive:
          events = Received(fd, *slot, cqe);
          break;
        case Op::kSend:
          events = SendEnded(*slot, cqe.res);
          break;
      }
      const uint64_t key = (uint64_t{generation} << 32) | static_cast<uint32_t>(fd);
      auto [it, is_first] = notice_index_.try_emplace(key, notices_.size());
      if (is_first) {
        notices_.push_back(Notice{fd, generation, events, poll_ended, poll_failed});
      } else {
        Notice& notice = notices_[it->second];
        notice.events |= events;
        notice.poll_ended = notice.poll_ended || poll_ended;
        notice.poll_failed = notice.poll_failed || poll_failed;
      }
    }
    io_uring_cq_advance(&ring_, n);
  }
  for (const Notice& notice : notices_) {
    const auto index = static_cast<size_t>(notice.fd);
    if (slots_[index].handler == nullptr || slots_[index].generation != notice.generation) {
      continue;  // removed by a handler called before
    }
    if (notice.events != 0) slots_[index].handler->OnIo(notice.events);
    // A multishot poll can end without being removed (the kernel ends it when it cannot post a
    // completion): armed again, it reports at once if the fd is ready, so no edge is lost.
    const Slot& now = slots_[index];
    if (notice.poll_ended && !notice.poll_failed && now.handler != nullptr &&
        now.generation == notice.generation && !now.stream) {
      Arm(notice.fd, now);
    }
  }
  return true;
}

}  // namespace fourdollar::net
