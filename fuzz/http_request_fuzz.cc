// Fuzz target: the bytes one client sends on one connection, through the real server: the
// BlogServer that `fourdollar serve` runs (the HttpServer of src/http with its reading, parsing,
// route checks, pipelining, refusals and closing; the router and the blog's handlers) on one
// loop thread, over a real SQLite store in a scratch folder. The input goes over a loopback TCP
// connection from a client loop on the fuzzer's thread; the client then half-closes and reads
// until the server closes.
//
// Invariants: the server closes the connection (no hang); what it sent is a sequence of
// well-formed HTTP/1.x responses with statuses 100..599 and nothing after a response that says
// "Connection: close"; no 500 (client bytes never make the store fail); every request the
// client completed before half-closing is answered, unless a response closed the connection
// first.
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "blog/site.h"
#include "fuzz_support.h"
#include "http/request_parser.h"
#include "http/response_parser.h"
#include "http/server.h"
#include "net/event_loop.h"
#include "net/tcp.h"
#include "serve/blog_server.h"

namespace fourdollar::fuzz {
namespace {

// Seeds and the dictionary carry it: "Authorization: Bearer fuzz-write-token".
constexpr char kWriteToken[] = "fuzz-write-token";
constexpr int64_t kCloseDeadlineNs = 20'000'000'000;

template <typename T>
T Must(Result<T> result, std::string_view what) {
  if (!result) Fail(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}

// The server as `fourdollar serve` runs it, on one loop thread of its own, made once per
// process (and never torn down: it runs until exit). The client side has a loop of its own.
struct Harness {
  std::unique_ptr<serve::BlogServer> server;
  std::unique_ptr<net::EventLoop> client_loop;
  net::Endpoint endpoint;
};

Harness& TheHarness() {
  static Harness* harness = [] {
    auto h = new Harness;
    serve::BlogServerConfig config{
        .listen = "127.0.0.1:0",
        .db = "sqlite:" + (ScratchFolder() / "blog.db").string(),
        .threads = 1,
        .write_token = std::string(kWriteToken),
        .write_token_source = "--write-token",
        .cache_mb = 1,
    };
    h->server = Must(serve::BlogServer::Start(config), "start the server");
    h->client_loop = Must(net::EventLoop::Create(), "create the client loop");
    h->endpoint = Must(net::ParseEndpoint("127.0.0.1:" + std::to_string(h->server->ready().port)),
                       "endpoint");
    return h;
  }();
  return *harness;
}

// Sends the input, half-closes, reads everything until the server closes, then stops the loop.
class Client final : public net::IoHandler {
 public:
  Client(net::EventLoop& loop, UniqueFd fd, std::string_view input)
      : loop_(loop), fd_(std::move(fd)), input_(input) {}

  void OnIo(uint32_t) override {
    if (done_) return;
    if (connecting_) {
      const int error = net::ConnectResult(fd_.get());
      if (error == EINPROGRESS || error == EALREADY) return;
      if (error != 0) Fail("connect to the server failed");
      connecting_ = false;
    }
    Write();
    Read();
  }

  const std::string& received() const { return received_; }
  bool done() const { return done_; }

 private:
  void Write() {
    while (!write_done_ && sent_ < input_.size()) {
      const ssize_t n =
          ::send(fd_.get(), input_.data() + sent_, input_.size() - sent_, MSG_NOSIGNAL);
      if (n > 0) {
        sent_ += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      } else {
        write_done_ = true;  // the server closed its side: the rest is not for it
      }
    }
    if (!write_done_) {
      write_done_ = true;
      ::shutdown(fd_.get(), SHUT_WR);
    }
  }

  void Read() {
    char buffer[16384];
    while (!done_) {
      const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
      if (n > 0) {
        received_.append(buffer, static_cast<size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      } else {
        Finish();  // closed (0) or reset: either way the connection is over
      }
    }
  }

  void Finish() {
    done_ = true;
    loop_.Remove(fd_.get());
    // Closing with a reset leaves no TIME_WAIT behind: a fuzzing run makes millions of these.
    linger abort{.l_onoff = 1, .l_linger = 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    fd_.Reset();
    loop_.Stop();
  }

  net::EventLoop& loop_;
  UniqueFd fd_;
  std::string_view input_;
  size_t sent_ = 0;
  bool connecting_ = true;
  bool write_done_ = false;
  bool done_ = false;
  std::string received_;
};

// One response from the front of `bytes`, parsed as an answer to HEAD or not. Returns the bytes
// it took, or 0 when it is not a complete well-formed response.
size_t ParseOne(std::string_view bytes, bool head, http::ClientResponse* response) {
  http::ResponseParser parser;
  parser.Reset(head);
  size_t consumed = 0;
  if (parser.Feed(bytes, &consumed) != http::ResponseParser::State::kComplete) return 0;
  *response = parser.TakeResponse();
  return consumed;
}

// The requests the server must answer: those complete one after another from the start of the
// input, as the server's own parser reads them with the largest body limit of any route, up to
// a malformed one (answered too) or one that asks to close.
size_t RequestsToAnswer(std::string_view input) {
  size_t count = 0;
  while (!input.empty()) {
    http::RequestParser parser(http::ServerLimits{}.header_limit_bytes);
    http::RequestParser::State state;
    size_t offset = 0;
    do {
      size_t consumed = 0;
      state = parser.Feed(input.substr(offset), &consumed);
      offset += consumed;
      if (state == http::RequestParser::State::kHeaderDone) {
        parser.SetBodyLimit(blog::kCreateBodyLimitBytes);
      }
    } while (state == http::RequestParser::State::kHeaderDone);
    if (state == http::RequestParser::State::kNeedMore) return count;
    if (state == http::RequestParser::State::kError) return count + 1;
    ++count;
    if (!parser.TakeRequest().keep_alive) return count;
    input.remove_prefix(offset);
  }
  return count;
}

// The server names no method in its responses, so a response is taken as the answer to a GET
// when what follows it is another response or nothing, else as the answer to a HEAD (headers
// only, Content-Length telling the size the GET would have had).
void CheckResponses(std::string_view bytes, size_t requests) {
  bool closed = false;
  size_t responses = 0;
  while (!bytes.empty()) {
    Check(!closed, "bytes after a response with Connection: close");
    http::ClientResponse response;
    size_t used = ParseOne(bytes, false, &response);
    if (used == 0 || (used < bytes.size() && !bytes.substr(used).starts_with("HTTP/1."))) {
      used = ParseOne(bytes, true, &response);
    }
    Check(used != 0, "the server sent a malformed or incomplete response: " +
                         std::string(bytes.substr(0, 200)));
    Check(response.status >= 100 && response.status <= 599, "a status outside 100..599");
    Check(response.status != 500, "a 500: " + response.body);
    closed = !response.keep_alive;
    bytes.remove_prefix(used);
    ++responses;
  }
  if (closed) {
    // A refusal answers a request whose body was not read yet, and closes.
    Check(responses <= requests + 1, "more responses than requests");
  } else {
    Check(responses == requests,
          std::to_string(requests) + " requests but " + std::to_string(responses) + " responses");
  }
}

}  // namespace
}  // namespace fourdollar::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar;
  fuzz::Harness& harness = fuzz::TheHarness();
  net::EventLoop& loop = *harness.client_loop;
  UniqueFd fd = fuzz::Must(net::StartConnect(harness.endpoint), "connect");
  const int raw_fd = fd.get();
  fuzz::Client client(loop, std::move(fd),
                      std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::Check(loop.Add(raw_fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, &client).has_value(),
              "register the client");
  net::TimerId deadline = loop.RunAt(MonotonicNowNs() + fuzz::kCloseDeadlineNs, [] {
    fuzz::Fail("the server did not close the connection in 20 s");
  });
  loop.Run();
  loop.Cancel(deadline);
  fuzz::Check(client.done(), "the loop stopped before the connection closed");
  fuzz::CheckResponses(client.received(), fuzz::RequestsToAnswer(std::string_view(
                                              reinterpret_cast<const char*>(data), size)));
  return 0;
}
