#include "bench/seed_posts.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "http/blocking_client.h"
#include "http/url.h"

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

int64_t DeadlineIn(int timeout_ms) {
  return MonotonicNowNs() + static_cast<int64_t>(timeout_ms) * 1'000'000;
}

}  // namespace

Result<int> SeedPosts(const SeedRequest& request) {
  Result<http::Url> url = http::ParseHttpUrl(request.target);
  if (!url) return tl::unexpected(url.error());
  Result<net::Endpoint> endpoint = http::EndpointOf(*url);
  if (!endpoint) return tl::unexpected(endpoint.error());
  std::shared_ptr<const net::TlsContext> tls;
  if (url->scheme == http::Url::Scheme::kHttps) {
    Result<std::shared_ptr<net::TlsContext>> context = net::TlsContext::ForClient(request.tls);
    if (!context) return tl::unexpected(context.error());
    tls = std::move(*context);
  }
  auto connect = [&]() -> Result<http::BlockingConnection> {
    const int64_t deadline_ns = DeadlineIn(request.timeout_ms);
    Result<http::BlockingConnection> connection =
        http::BlockingConnection::Connect(*endpoint, deadline_ns);
    if (connection && tls != nullptr) {
      if (Status secured = connection->StartTls(tls, url->host, deadline_ns); !secured) {
        return tl::unexpected(secured.error());
      }
    }
    return connection;
  };
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
    Result<http::BlockingConnection> connection = connect();
    if (!connection) return fail(connection.error());
    for (int n = next++; n < request.posts; n = next++) {
      std::string body = PostJson(n + 1);
      std::string message =
          head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      Result<http::ClientResponse> response =
          connection->Exchange(message, DeadlineIn(request.timeout_ms));
      if (!response) return fail(response.error());
      if (response->status != 303) {
        return fail(Error{ErrorCode::kUnavailable, "POST / answered " +
                                                       std::to_string(response->status) + ": " +
                                                       response->body.substr(0, 200)});
      }
      ++created;
      if (!response->keep_alive) {
        connection = connect();
        if (!connection) return fail(connection.error());
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
