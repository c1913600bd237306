#include "bench/seed_posts.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "http/response_parser.h"
#include "net/tcp.h"
#include "scenario/scenario_values.h"

namespace fourdollar::bench {

namespace {

constexpr const char* kWords[] = {"fast",  "small", "server", "blog",   "request", "latency",
                                  "cache", "disk",  "commit", "reader", "writer",  "machine",
                                  "cheap", "cloud", "answer", "load",   "test",    "budget"};
constexpr size_t kWordCount = sizeof kWords / sizeof kWords[0];

// Plain ASCII without quotes or backslashes, so it needs no JSON escaping.
std::string PostJson(int number) {
  std::string title = "Post " + std::to_string(number) + ": " + kWords[number % kWordCount] + " " +
                      kWords[(number / 3) % kWordCount];
  std::string body;
  for (int i = 0; i < 60; ++i) {
    std::string word = kWords[(number * 7 + i * 5) % kWordCount];
    if (i % 12 == 0) word[0] = static_cast<char>(word[0] - 'a' + 'A');
    body += word;
    body += i % 12 == 11 ? ". " : " ";
  }
  return "{\"title\":\"" + title + "\",\"body\":\"" + body + "\"}";
}

Result<UniqueFd> Connect(const net::Endpoint& endpoint, int timeout_ms) {
  UniqueFd fd(::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) !=
      0) {
    return ErrnoError("connect to " + endpoint.ToString(), errno);
  }
  return fd;
}

Status SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("send", errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Reads one response; `pending` keeps bytes of a following one.
Result<http::ClientResponse> Receive(int fd, http::ResponseParser& parser, std::string& pending) {
  parser.Reset(false);
  char buffer[16384];
  for (;;) {
    if (!pending.empty()) {
      size_t consumed = 0;
      http::ResponseParser::State state = parser.Feed(pending, &consumed);
      pending.erase(0, consumed);
      if (state == http::ResponseParser::State::kComplete) return parser.TakeResponse();
      if (state == http::ResponseParser::State::kError) {
        return MakeError(ErrorCode::kIo, "unparsable response: " + parser.ErrorReason());
      }
    }
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("recv", errno);
    if (n == 0) {
      if (parser.FeedEof() == http::ResponseParser::State::kComplete) return parser.TakeResponse();
      return MakeError(ErrorCode::kIo, "the server closed the connection");
    }
    pending.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

Result<int> SeedPosts(const SeedRequest& request) {
  Result<scenario::HttpUrl> url = scenario::ParseHttpUrl(request.target);
  if (!url) return tl::unexpected(url.error());
  Result<net::Endpoint> endpoint = net::ParseEndpoint(url->host + ":" + std::to_string(url->port));
  if (!endpoint) return tl::unexpected(endpoint.error());
  std::string head = "POST / HTTP/1.1\r\nHost: " + url->host + ":" + std::to_string(url->port) +
                     "\r\nContent-Type: application/json\r\n";
  if (!request.token.empty()) head += "Authorization: Bearer " + request.token + "\r\n";

  std::atomic<int> next{0};
  std::atomic<int> created{0};
  std::mutex mutex;
  std::optional<Error> first_error;
  auto fail = [&](Error error) {
    std::lock_guard lock(mutex);
    if (!first_error) first_error = std::move(error);
    next = request.posts;  // the other connections stop too
  };
  auto work = [&] {
    Result<UniqueFd> fd = Connect(*endpoint, request.timeout_ms);
    if (!fd) return fail(fd.error());
    http::ResponseParser parser;
    std::string pending;
    for (int n = next++; n < request.posts; n = next++) {
      std::string body = PostJson(n + 1);
      std::string message =
          head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      if (Status sent = SendAll(fd->get(), message); !sent) return fail(sent.error());
      Result<http::ClientResponse> response = Receive(fd->get(), parser, pending);
      if (!response) return fail(response.error());
      if (response->status != 303) {
        return fail(Error{ErrorCode::kUnavailable, "POST / answered " +
                                                       std::to_string(response->status) + ": " +
                                                       response->body.substr(0, 200)});
      }
      ++created;
      if (!response->keep_alive) {
        fd = Connect(*endpoint, request.timeout_ms);
        if (!fd) return fail(fd.error());
        pending.clear();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, request.connections); ++i) threads.emplace_back(work);
  for (std::thread& thread : threads) thread.join();
  if (first_error) {
    return MakeError(first_error->code, "seeding posts: " + std::to_string(created.load()) +
                                            " created, then " + first_error->message);
  }
  return created.load();
}

}  // namespace fourdollar::bench
