// Fuzz target: the bytes one client sends to the TLS port, through the real server: the
// BlogServer that `fourdollar serve --tls-cert --tls-key` runs (the first-byte check for plain
// HTTP, OpenSSL's handshake driven non-blocking on the loop, and behind a handshake the HTTP
// server) on one loop thread, with a certificate made at start. The input goes raw over a
// loopback TCP connection; the client then half-closes and reads until the server closes.
//
// Invariants: the server closes the connection (no hang, no crash) whatever the bytes, and
// afterwards still completes a real TLS handshake and answers GET /healthz.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "fuzz_support.h"
#include "net/tcp.h"
#include "net/tls_context.h"
#include "net/tls_stream.h"
#include "serve/blog_server.h"
#include "support/test_certificates.h"

namespace fourdollar::fuzz {
namespace {

constexpr int64_t kCloseDeadlineMs = 20'000;

struct Harness {
  std::unique_ptr<test_support::TestCa> ca;
  std::unique_ptr<serve::BlogServer> server;
  std::shared_ptr<const net::TlsContext> client;
  net::Endpoint endpoint;
};

Harness& TheHarness() {
  static Harness* harness = [] {
    auto h = new Harness;
    h->ca = std::make_unique<test_support::TestCa>(ScratchFolder().string(), "fuzz");
    test_support::CertificateFiles files = h->ca->Issue("server");
    serve::BlogServerConfig config{
        .listen = "127.0.0.1:0",
        .db = "sqlite:" + (ScratchFolder() / "blog.db").string(),
        .threads = 1,
        .open_writes = true,
        .cache_mb = 1,
        .tls_cert = files.cert,
        .tls_key = files.key,
    };
    config.limits.handshake_timeout_ms = 2000;
    auto server = serve::BlogServer::Start(config);
    if (!server) Fail("start the server: " + server.error().message);
    h->server = std::move(*server);
    auto client = net::TlsContext::ForClient({.ca_file = h->ca->ca_file()});
    if (!client) Fail("client context: " + client.error().message);
    h->client = std::move(*client);
    auto endpoint = net::ParseEndpoint("127.0.0.1:" + std::to_string(h->server->ready().port));
    if (!endpoint) Fail("endpoint");
    h->endpoint = *endpoint;
    return h;
  }();
  return *harness;
}

// A connected socket (non-blocking), or a failed invariant.
UniqueFd ConnectTo(const net::Endpoint& endpoint, int64_t deadline_ms) {
  auto fd = net::StartConnect(endpoint);
  if (!fd) Fail("connect: " + fd.error().message);
  pollfd pfd{fd->get(), POLLOUT, 0};
  if (::poll(&pfd, 1, static_cast<int>(deadline_ms - MonotonicNowNs() / 1'000'000)) != 1 ||
      net::ConnectResult(fd->get()) != 0) {
    Fail("connect did not complete");
  }
  return std::move(*fd);
}

bool WaitFor(int fd, short events, int64_t deadline_ms) {
  pollfd pfd{fd, events, 0};
  const int64_t left = deadline_ms - MonotonicNowNs() / 1'000'000;
  return left > 0 && ::poll(&pfd, 1, static_cast<int>(left)) == 1;
}

void SendRawAndWaitForClose(const Harness& h, std::string_view input) {
  const int64_t deadline_ms = MonotonicNowNs() / 1'000'000 + kCloseDeadlineMs;
  UniqueFd fd = ConnectTo(h.endpoint, deadline_ms);
  while (!input.empty()) {
    ssize_t n = ::send(fd.get(), input.data(), input.size(), MSG_NOSIGNAL);
    if (n > 0) {
      input.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd.get(), POLLOUT | POLLIN, deadline_ms)) Fail("the server stopped reading");
      char drain[4096];
      while (::recv(fd.get(), drain, sizeof drain, 0) > 0) {
      }
    } else {
      break;  // the server closed: fine, it refused the bytes
    }
  }
  ::shutdown(fd.get(), SHUT_WR);
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;  // closed
    if (n < 0 && !WaitFor(fd.get(), POLLIN, deadline_ms)) Fail("the server did not close");
  }
}

void CheckStillServes(const Harness& h) {
  const int64_t deadline_ms = MonotonicNowNs() / 1'000'000 + kCloseDeadlineMs;
  UniqueFd fd = ConnectTo(h.endpoint, deadline_ms);
  auto stream = net::TlsStream::Connect(h.client, fd.get(), "localhost", nullptr);
  if (!stream) Fail("TLS client: " + stream.error().message);
  for (;;) {
    net::IoResult r = (*stream)->Handshake();
    if (r.kind == net::IoResult::Kind::kDone) break;
    if (r.kind != net::IoResult::Kind::kWouldBlock) Fail("handshake: " + (*stream)->error());
    if (!WaitFor(fd.get(), POLLIN, deadline_ms)) Fail("handshake timed out");
  }
  constexpr std::string_view kRequest = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  if ((*stream)->Write(kRequest.data(), kRequest.size()).kind != net::IoResult::Kind::kDone) {
    Fail("TLS write");
  }
  std::string received;
  char buffer[4096];
  while (received.find("\r\n\r\n") == std::string::npos) {
    net::IoResult r = (*stream)->Read(buffer, sizeof buffer);
    if (r.kind == net::IoResult::Kind::kDone) {
      received.append(buffer, r.bytes);
    } else if (r.kind != net::IoResult::Kind::kWouldBlock ||
               !WaitFor(fd.get(), POLLIN, deadline_ms)) {
      Fail("no answer over TLS after the input: '" + received + "'");
    }
  }
  Check(received.starts_with("HTTP/1.1 200"), "GET /healthz over TLS: " + received);
}

}  // namespace
}  // namespace fourdollar::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar::fuzz;
  Harness& h = TheHarness();
  SendRawAndWaitForClose(h, std::string_view(reinterpret_cast<const char*>(data), size));
  CheckStillServes(h);
  return 0;
}
