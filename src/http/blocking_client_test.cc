#include "http/blocking_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "base/clock.h"

namespace fourdollar::http {
namespace {

constexpr int64_t kSecondNs = 1'000'000'000;

// A listening socket on 127.0.0.1 whose one connection is served by `serve` on a thread.
class OneConnectionServer {
 public:
  template <typename Serve>
  explicit OneConnectionServer(Serve serve) {
    Result<net::Endpoint> any = net::ParseEndpoint("127.0.0.1:0");
    Result<UniqueFd> fd = net::Listen(*any, {});
    EXPECT_TRUE(fd) << fd.error().message;
    listen_fd_ = std::move(*fd);
    endpoint_ = *net::LocalEndpoint(listen_fd_.get());
    thread_ = std::thread([this, serve] {
      pollfd p{listen_fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) return;
      UniqueFd client(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (client.valid()) serve(client.get());
    });
  }
  ~OneConnectionServer() { thread_.join(); }

  const net::Endpoint& endpoint() const { return endpoint_; }

 private:
  UniqueFd listen_fd_;
  net::Endpoint endpoint_;
  std::thread thread_;
};

// Reads until the end of one request head (these tests send no bodies).
std::string ReadHead(int fd) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
  return head;
}

void SendText(int fd, const std::string& text) {
  ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

int64_t InSeconds(int seconds) { return MonotonicNowNs() + seconds * kSecondNs; }

TEST(BlockingConnection, SendsTheRequestAndReadsTheResponse) {
  std::string received;
  {
    OneConnectionServer server([&received](int fd) {
      received = ReadHead(fd);
      SendText(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Kind: test\r\n\r\nhello");
    });
    auto connection = BlockingConnection::Connect(server.endpoint(), InSeconds(5));
    ASSERT_TRUE(connection) << connection.error().message;
    auto response = connection->Exchange("GET /x HTTP/1.1\r\nHost: h\r\n\r\n", InSeconds(5));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello");
    EXPECT_EQ(response->HeaderValue("X-Kind"), "test");
  }
  EXPECT_EQ(received, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST(BlockingConnection, CarriesSeveralExchangesOnAKeptAliveConnection) {
  OneConnectionServer server([](int fd) {
    // Both answers in one write: the second is kept for the second exchange.
    ReadHead(fd);
    SendText(fd,
             "HTTP/1.1 303 See Other\r\nContent-Length: 0\r\n\r\n"
             "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ReadHead(fd);
  });
  auto connection = BlockingConnection::Connect(server.endpoint(), InSeconds(5));
  ASSERT_TRUE(connection) << connection.error().message;
  auto first = connection->Exchange("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", InSeconds(5));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, 303);
  EXPECT_TRUE(first->keep_alive);
  auto second = connection->Exchange("GET / HTTP/1.1\r\n\r\n", InSeconds(5));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "ok");
}

TEST(BlockingConnection, ReadsABodyThatRunsToTheEndOfTheConnection) {
  OneConnectionServer server([](int fd) {
    ReadHead(fd);
    SendText(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  });
  auto connection = BlockingConnection::Connect(server.endpoint(), InSeconds(5));
  ASSERT_TRUE(connection) << connection.error().message;
  auto response = connection->Exchange("GET / HTTP/1.1\r\n\r\n", InSeconds(5));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "until the end");
  EXPECT_FALSE(response->keep_alive);
}

TEST(BlockingConnection, GivesUpAtTheDeadlineWhenNoAnswerComes) {
  OneConnectionServer server([](int fd) {
    ReadHead(fd);
    // No answer: wait for the client to give up and close.
    char c;
    while (::recv(fd, &c, 1, 0) > 0) {
    }
  });
  auto connection = BlockingConnection::Connect(server.endpoint(), InSeconds(5));
  ASSERT_TRUE(connection) << connection.error().message;
  const int64_t start_ns = MonotonicNowNs();
  auto response = connection->Exchange("GET / HTTP/1.1\r\n\r\n", start_ns + kSecondNs / 5);
  const int64_t waited_ns = MonotonicNowNs() - start_ns;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().message, "no complete response in time");
  EXPECT_GE(waited_ns, kSecondNs / 5);
  EXPECT_LT(waited_ns, 3 * kSecondNs);
}

TEST(BlockingConnection, RefusesABodyOverTheLimit) {
  OneConnectionServer server([](int fd) {
    ReadHead(fd);
    SendText(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'));
  });
  auto connection = BlockingConnection::Connect(server.endpoint(), InSeconds(5), 10);
  ASSERT_TRUE(connection) << connection.error().message;
  auto response = connection->Exchange("GET / HTTP/1.1\r\n\r\n", InSeconds(5));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().message.rfind("unparsable response: ", 0), 0u)
      << response.error().message;
}

TEST(BlockingConnection, SaysWhenTheServerClosesBeforeAnswering) {
  OneConnectionServer server([](int fd) { ReadHead(fd); });
  auto connection = BlockingConnection::Connect(server.endpoint(), InSeconds(5));
  ASSERT_TRUE(connection) << connection.error().message;
  auto response = connection->Exchange("GET / HTTP/1.1\r\n\r\n", InSeconds(5));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().message, "the server closed the connection");
}

TEST(BlockingConnection, ConnectToAClosedPortFails) {
  net::Endpoint closed;
  {
    Result<UniqueFd> fd = net::Listen(*net::ParseEndpoint("127.0.0.1:0"), {});
    ASSERT_TRUE(fd) << fd.error().message;
    closed = *net::LocalEndpoint(fd->get());
  }
  auto connection = BlockingConnection::Connect(closed, InSeconds(5));
  ASSERT_FALSE(connection);
  EXPECT_NE(connection.error().message.find(closed.ToString()), std::string::npos)
      << connection.error().message;
}

}  // namespace
}  // namespace fourdollar::http
