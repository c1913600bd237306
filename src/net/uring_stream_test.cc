// io_uring streams (poller.h) on real TCP sockets over loopback: bytes in order and whole, the
// end of input and resets as epoll reports them, writes reported once the kernel sent them,
// input held back while its owner does not read, fd numbers reused after Remove, and the ring of
// receive buffers given more when receives find it dry.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "net/event_loop.h"
#include "net/tcp.h"
#include "net/uring_poller.h"

namespace fourdollar::net {
namespace {

class UringStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loop = EventLoop::Create(IoBackend::kIoUring);
    ASSERT_TRUE(loop) << loop.error().message;
    loop_ = std::move(*loop);
    // The kernels this runs on (Linux 6.0 or newer) have streams: without them every server
    // socket would be read the readiness way, and this suite would test nothing.
    ASSERT_TRUE(loop_->HasStreams()) << "io_uring without multishot receive or buffer rings";
    Result<Endpoint> any = ParseEndpoint("127.0.0.1:0");
    ASSERT_TRUE(any);
    Result<UniqueFd> listener = Listen(*any, ListenOptions{});
    ASSERT_TRUE(listener) << listener.error().message;
    listener_ = std::move(*listener);
    Result<Endpoint> bound = LocalEndpoint(listener_.get());
    ASSERT_TRUE(bound);
    endpoint_ = *bound;
    deadline_ = loop_->RunAt(MonotonicNowNs() + 10'000'000'000, [this] {
      ADD_FAILURE() << "the loop did not stop within 10 s";
      loop_->Stop();
    });
  }

  // A blocking client socket connected to the listener.
  void Dial(UniqueFd& peer) {
    peer = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(peer.valid());
    ASSERT_EQ(::connect(peer.get(), reinterpret_cast<const sockaddr*>(&endpoint_.address),
                        endpoint_.length),
              0);
  }

  // The non-blocking server side of the next connection dialled.
  void AcceptOne(UniqueFd& ours) {
    int fd = -1;
    for (int i = 0; i < 1000 && fd < 0; ++i) {
      fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        ASSERT_EQ(errno, EAGAIN);
        ::usleep(1000);  // the handshake completes in the kernel, off this thread
      }
    }
    ASSERT_GE(fd, 0);
    ours = UniqueFd(fd);
  }

  void Connect(UniqueFd& peer, UniqueFd& ours) {
    ASSERT_NO_FATAL_FAILURE(Dial(peer));
    ASSERT_NO_FATAL_FAILURE(AcceptOne(ours));
  }

  std::unique_ptr<EventLoop> loop_;
  UniqueFd listener_;
  Endpoint endpoint_;
  TimerId deadline_;
};

// Calls `on_io` with the events of each wake-up.
class Handler final : public IoHandler {
 public:
  explicit Handler(std::function<void(uint32_t)> on_io) : on_io_(std::move(on_io)) {}
  void OnIo(uint32_t events) override { on_io_(events); }

 private:
  std::function<void(uint32_t)> on_io_;
};

// Reads everything the stream holds now into `out`; the last result.
IoResult ReadAll(EventLoop& loop, int fd, std::string& out) {
  char buffer[3000];  // not a multiple of the poller's buffers
  for (;;) {
    IoResult r = loop.StreamRead(fd, buffer, sizeof buffer);
    if (r.kind != IoResult::Kind::kDone) return r;
    out.append(buffer, r.bytes);
  }
}

void SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << errno;
    sent += static_cast<size_t>(n);
  }
}

std::string Pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  return bytes;
}

TEST_F(UringStreamTest, BytesArriveWholeAndInOrderThenTheEndOfInput) {
  UniqueFd peer, ours;
  ASSERT_NO_FATAL_FAILURE(Connect(peer, ours));
  const std::string sent = Pattern(3 << 20);  // 768 of the poller's 4 KiB buffers
  std::string received;
  bool ended = false;
  Handler handler([&](uint32_t events) {
    IoResult r = ReadAll(*loop_, ours.get(), received);
    if (r.kind == IoResult::Kind::kEof) {
      EXPECT_TRUE(events & EPOLLRDHUP);
      ended = true;
      loop_->Stop();
    }
  });
  ASSERT_TRUE(loop_->AddStream(ours.get(), &handler));
  std::thread writer([&] {
    SendAll(peer.get(), sent);
    ::shutdown(peer.get(), SHUT_WR);
  });
  loop_->Run();
  writer.join();
  EXPECT_TRUE(ended);
  EXPECT_EQ(received.size(), sent.size());
  EXPECT_TRUE(received == sent) << "the bytes differ";
  loop_->Remove(ours.get());
}

TEST_F(UringStreamTest, AWriteIsReportedOnceTheKernelSentItAndTheRestFollows) {
  UniqueFd peer, ours;
  ASSERT_NO_FATAL_FAILURE(Connect(peer, ours));
  const std::string reply = Pattern(3 << 20);  // more than one send takes (1 MiB)
  size_t offset = 0;
  int writes_started = 0;
  Handler handler([&](uint32_t events) {
    if ((events & EPOLLOUT) == 0) return;
    for (;;) {
      IoResult r = loop_->StreamWrite(ours.get(), reply.data() + offset, reply.size() - offset);
      if (r.kind == IoResult::Kind::kWouldBlock) {
        ++writes_started;
        return;
      }
      ASSERT_EQ(r.kind, IoResult::Kind::kDone);
      offset += r.bytes;
      if (offset == reply.size()) {
        loop_->Stop();
        return;
      }
    }
  });
  ASSERT_TRUE(loop_->AddStream(ours.get(), &handler));
  // The first write starts at once and answers kWouldBlock: nothing was sent yet.
  IoResult first = loop_->StreamWrite(ours.get(), reply.data(), reply.size());
  ASSERT_EQ(first.kind, IoResult::Kind::kWouldBlock);
  ++writes_started;
  std::string received;
  std::thread reader([&] {
    char buffer[65536];
    while (received.size() < reply.size()) {
      ssize_t n = ::recv(peer.get(), buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received.append(buffer, static_cast<size_t>(n));
    }
  });
  loop_->Run();
  reader.join();
  EXPECT_EQ(offset, reply.size());
  EXPECT_GE(writes_started, 3);
  EXPECT_TRUE(received == reply) << "the bytes differ";
  loop_->Remove(ours.get());
}

TEST_F(UringStreamTest, AResetIsReportedAsEpollReportsItToAnOwnerNotReading) {
  UniqueFd peer, ours;
  ASSERT_NO_FATAL_FAILURE(Connect(peer, ours));
  uint32_t seen = 0;
  Handler handler([&](uint32_t events) {
    seen |= events;
    if (events & EPOLLERR) loop_->Stop();
  });
  ASSERT_TRUE(loop_->AddStream(ours.get(), &handler));
  // SO_LINGER 0: the close sends a reset.
  linger hard{1, 0};
  ASSERT_EQ(::setsockopt(peer.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard), 0);
  SendAll(peer.get(), "GET / HTTP/1.1\r\n");
  peer.Reset();
  loop_->Run();
  EXPECT_TRUE(seen & EPOLLERR);
  EXPECT_TRUE(seen & EPOLLHUP);
  // What came before the reset is still there to read, then the error.
  std::string received;
  IoResult r = ReadAll(*loop_, ours.get(), received);
  EXPECT_EQ(received, "GET / HTTP/1.1\r\n");
  EXPECT_EQ(r.kind, IoResult::Kind::kError);
  EXPECT_EQ(r.error, ECONNRESET);
  loop_->Remove(ours.get());
}

TEST_F(UringStreamTest, InputIsHeldBackWhileItsOwnerDoesNotReadThenAllOfItComes) {
  UniqueFd peer, ours;
  ASSERT_NO_FATAL_FAILURE(Connect(peer, ours));
  bool reading = false;
  std::string received;
  const std::string sent = Pattern(8 << 20);
  Handler handler([&](uint32_t) {
    if (!reading) return;
    ReadAll(*loop_, ours.get(), received);
    if (received.size() == sent.size()) loop_->Stop();
  });
  ASSERT_TRUE(loop_->AddStream(ours.get(), &handler));
  // The peer writes without blocking until the poller stops taking input (its bound) and the
  // kernel's buffers and TCP's window are full.
  ASSERT_EQ(::fcntl(peer.get(), F_SETFL, O_NONBLOCK), 0);
  size_t sent_bytes = 0;
  bool blocked = false;
  for (int turn = 0; turn < 2000 && !blocked; ++turn) {
    ssize_t n =
        ::send(peer.get(), sent.data() + sent_bytes, sent.size() - sent_bytes, MSG_NOSIGNAL);
    if (n > 0) sent_bytes += static_cast<size_t>(n);
    if (n < 0) {
      ASSERT_EQ(errno, EAGAIN);
      // Give the loop a turn to take what it will; blocked for good after it took none.
      size_t before = sent_bytes;
      loop_->RunAt(MonotonicNowNs() + 20'000'000, [this] { loop_->Stop(); });
      loop_->Run();
      n = ::send(peer.get(), sent.data() + sent_bytes, sent.size() - sent_bytes, MSG_NOSIGNAL);
      if (n > 0) sent_bytes += static_cast<size_t>(n);
      blocked = n < 0 && sent_bytes == before;
    }
  }
  ASSERT_TRUE(blocked) << "the peer sent all " << sent_bytes << " bytes to an owner not reading";
  EXPECT_LT(sent_bytes, sent.size());
  // Now read: everything comes, in order.
  reading = true;
  ReadAll(*loop_, ours.get(), received);
  std::thread writer([&] {
    ASSERT_EQ(::fcntl(peer.get(), F_SETFL, 0), 0);
    SendAll(peer.get(), sent.substr(sent_bytes));
  });
  if (received.size() < sent.size()) loop_->Run();
  writer.join();
  EXPECT_EQ(received.size(), sent.size());
  EXPECT_TRUE(received == sent) << "the bytes differ";
  loop_->Remove(ours.get());
}

TEST_F(UringStreamTest, AWriteQueuedBeforeRemoveNeverReachesTheSocketThatTakesTheNumber) {
  UniqueFd peer_a, ours_a;
  ASSERT_NO_FATAL_FAILURE(Connect(peer_a, ours_a));
  Handler quiet([](uint32_t) {});
  ASSERT_TRUE(loop_->AddStream(ours_a.get(), &quiet));
  // Queued, not yet sent to the kernel; then the stream is removed and its fd closed in the
  // same turn, and a new socket takes the number.
  const std::string secret = "for a only";
  ASSERT_EQ(loop_->StreamWrite(ours_a.get(), secret.data(), secret.size()).kind,
            IoResult::Kind::kWouldBlock);
  UniqueFd peer_b, ours_b;
  ASSERT_NO_FATAL_FAILURE(Dial(peer_b));
  const int number = ours_a.get();
  loop_->Remove(number);
  ours_a.Reset();
  ASSERT_NO_FATAL_FAILURE(AcceptOne(ours_b));
  ASSERT_EQ(ours_b.get(), number);
  std::string received_b;
  bool b_ended = false;
  Handler reader_b([&](uint32_t) {
    if (ReadAll(*loop_, ours_b.get(), received_b).kind == IoResult::Kind::kEof) {
      b_ended = true;
      loop_->Stop();
    }
  });
  ASSERT_TRUE(loop_->AddStream(ours_b.get(), &reader_b));
  SendAll(peer_b.get(), "to b");
  ::shutdown(peer_b.get(), SHUT_WR);
  loop_->Run();
  EXPECT_TRUE(b_ended);
  EXPECT_EQ(received_b, "to b");
  // B's peer got nothing of A's write: B's socket has sent nothing at all.
  ASSERT_EQ(::fcntl(peer_b.get(), F_SETFL, O_NONBLOCK), 0);
  char byte;
  EXPECT_EQ(::recv(peer_b.get(), &byte, 1, 0), -1);
  EXPECT_EQ(errno, EAGAIN);
  // A's peer sees its connection end (the write was sent or cancelled, never misdirected).
  timeval two_seconds{2, 0};
  ASSERT_EQ(::setsockopt(peer_a.get(), SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds),
            0);
  std::string received_a;
  char buffer[64];
  ssize_t n = 0;
  while ((n = ::recv(peer_a.get(), buffer, sizeof buffer, 0)) > 0) {
    received_a.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_EQ(n, 0) << "A's socket was not closed: " << std::strerror(errno);
  EXPECT_TRUE(received_a.empty() || received_a == secret) << received_a;
  loop_->Remove(ours_b.get());
}

// The poller starts with a few receive buffers (an idle loop keeps only those resident): 64
// connections whose bytes all wait in their sockets when their receives are armed, in one
// submission, find the ring dry; it is given more, the receives are armed again, and every byte
// arrives whole and in order.
TEST_F(UringStreamTest, ReceivesThatFindTheRingDryGrowItAndLoseNoByte) {
  constexpr int kConnections = 64;
  Result<std::unique_ptr<Poller>> made = UringPoller::Create();
  ASSERT_TRUE(made) << made.error().message;
  auto& poller = static_cast<UringPoller&>(**made);
  ASSERT_TRUE(poller.HasStreams());
  const unsigned first = poller.receive_buffers();
  ASSERT_LT(first, static_cast<unsigned>(kConnections));
  std::vector<UniqueFd> peers(kConnections), ours(kConnections);
  std::vector<std::string> sent(kConnections), received(kConnections);
  std::vector<std::unique_ptr<Handler>> handlers;
  size_t complete = 0;
  for (int i = 0; i < kConnections; ++i) {
    ASSERT_NO_FATAL_FAILURE(Connect(peers[i], ours[i]));
    sent[i] = std::to_string(i) + Pattern(3000);  // one buffer each
    SendAll(peers[i].get(), sent[i]);
    handlers.push_back(std::make_unique<Handler>([&, i](uint32_t) {
      char buffer[4096];
      for (;;) {
        IoResult r = poller.StreamRead(ours[i].get(), buffer, sizeof buffer);
        if (r.kind != IoResult::Kind::kDone) break;
        received[i].append(buffer, r.bytes);
        if (received[i].size() == sent[i].size()) ++complete;
      }
    }));
    ASSERT_TRUE(poller.AddStream(ours[i].get(), handlers.back().get()));
  }
  int64_t now_ns = 0;
  for (int turn = 0; turn < 100 && complete < kConnections; ++turn) {
    poller.Wait(100'000'000, now_ns);
  }
  EXPECT_EQ(complete, static_cast<size_t>(kConnections));
  for (int i = 0; i < kConnections; ++i) {
    EXPECT_TRUE(received[i] == sent[i]) << "connection " << i << ": " << received[i].size()
                                        << " of " << sent[i].size() << " bytes, or others";
  }
  EXPECT_GT(poller.receive_buffers(), first);
  for (int i = 0; i < kConnections; ++i) poller.Remove(ours[i].get());
}

}  // namespace
}  // namespace fourdollar::net
