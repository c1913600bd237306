// Malformed requests get their error status (or just a close), the connection is closed, and
// the server goes on serving others.
#include <chrono>
#include <set>
#include <string>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

constexpr int kRequestTimeoutMs = 1000;

struct MalformedCase {
  const char* name;
  std::string bytes;
  std::set<int> statuses;  // acceptable answers; a close without an answer is always acceptable
};

void PrintTo(const MalformedCase& c, std::ostream* out) { *out << c.name; }

// A string literal with embedded NULs, without its terminating one.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

std::string JsonPostHead(const std::string& extra_headers) {
  return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra_headers +
         "\r\n";
}

const MalformedCase kCases[] = {
    {"BadRequestLine", "GARBAGE\r\n\r\n", {400}},
    {"RequestLineWithoutVersion", "GET /\r\nHost: x\r\n\r\n", {400}},
    {"InvalidMethodToken", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", {400}},
    {"BadVersion", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", {505}},
    {"GarbageVersion", "GET / HTTP/1.x\r\nHost: x\r\n\r\n", {400, 505}},
    {"ContentLengthAndTransferEncoding",
     JsonPostHead("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n",
     {400}},
    {"TwoDifferentContentLengths",
     JsonPostHead("Content-Length: 2\r\nContent-Length: 3\r\n") + "{}",
     {400}},
    {"NegativeContentLength", JsonPostHead("Content-Length: -1\r\n"), {400}},
    {"NonNumericContentLength", JsonPostHead("Content-Length: 12abc\r\n"), {400}},
    {"BadChunkSize",
     JsonPostHead("Transfer-Encoding: chunked\r\n") + "zz\r\n{}\r\n0\r\n\r\n",
     {400}},
    {"UnknownTransferEncoding", JsonPostHead("Transfer-Encoding: gzip\r\n"), {501}},
    {"UnknownTransferEncodingOnGet",
     "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
     {501}},
    {"GzipThenChunked", JsonPostHead("Transfer-Encoding: gzip, chunked\r\n") + "0\r\n\r\n", {501}},
    {"NulInHeaderValue", Bytes("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"), {400}},
    {"NulInHeaderName", Bytes("GET / HTTP/1.1\r\nHost: x\r\nX\0A: ab\r\n\r\n"), {400}},
    {"OversizeHeader",
     "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n",
     {431}},
    {"ManyHeadersOverEightKiB",
     [] {
       std::string request = "GET / HTTP/1.1\r\nHost: x\r\n";
       for (int i = 0; i < 500; ++i) request += "X-H" + std::to_string(i) + ": abcdefghij\r\n";
       return request + "\r\n";
     }(),
     {431}},
    {"OversizeBody", JsonPostHead("Content-Length: 2000000\r\n"), {413}},
    {"HeaderLineWithoutColon", "GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", {400}},
    {"ObsoleteLineFolding", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n", {400}},
    {"SpaceBeforeColon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n", {400}},
    {"BinaryGarbage", Bytes("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), {400}},
};

class MalformedRequest : public ServerTest, public ::testing::WithParamInterface<MalformedCase> {
 protected:
  void SetUp() override {
    ServerOptions options;
    // Writes open so the request heads above reach the body parser; a short deadline so a
    // half-sent request is closed quickly.
    options.args = {"--open-writes", "--request-timeout-ms", std::to_string(kRequestTimeoutMs)};
    if (over_tls_) {
      ASSERT_NO_FATAL_FAILURE(StartTlsServer(options));
    } else {
      ASSERT_NO_FATAL_FAILURE(StartServer(options));
    }
  }
  void ExpectStatusOrClose(const MalformedCase& c);
  bool over_tls_ = false;
};

// The same requests inside TLS records.
class MalformedRequestOverTls : public MalformedRequest {
 protected:
  MalformedRequestOverTls() { over_tls_ = true; }
};

TEST_P(MalformedRequest, GetsItsStatusOrACloseAndTheServerGoesOn) {
  ExpectStatusOrClose(GetParam());
}

TEST_P(MalformedRequestOverTls, GetsItsStatusOrACloseAndTheServerGoesOn) {
  ExpectStatusOrClose(GetParam());
}

void MalformedRequest::ExpectStatusOrClose(const MalformedCase& c) {
  {
    auto connection = Connect();
    ASSERT_TRUE(connection.has_value()) << connection.error().message;
    ASSERT_TRUE(connection->Send(c.bytes).has_value());
    auto received = connection->ReadUntilClosed(5000);
    ASSERT_TRUE(received.has_value()) << "connection not closed: " << received.error().message;
    if (!received->empty()) {
      ASSERT_TRUE(received->starts_with("HTTP/1.")) << *received;
      int status = std::stoi(received->substr(9, 3));
      EXPECT_TRUE(c.statuses.contains(status)) << "got " << *received;
    }
  }
  HttpResponse list = Get("/");
  EXPECT_EQ(list.status, 200);
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedRequest, ::testing::ValuesIn(kCases),
                         [](const auto& test) { return std::string(test.param.name); });
INSTANTIATE_TEST_SUITE_P(Table, MalformedRequestOverTls, ::testing::ValuesIn(kCases),
                         [](const auto& test) { return std::string(test.param.name); });

// Over plain TCP (false) and over TLS (true), where each byte the client sends goes in a record
// of its own: a request that never completes inside TLS meets the same deadline.
class SlowClient : public ServerTest, public ::testing::WithParamInterface<bool> {
 protected:
  void Start(const ServerOptions& options) {
    if (GetParam()) {
      StartTlsServer(options);
    } else {
      StartServer(options);
    }
  }
};

TEST_P(SlowClient, DrippingHeadIsClosedAtTheRequestTimeout) {
  ServerOptions options;
  options.args = {"--request-timeout-ms", std::to_string(kRequestTimeoutMs)};
  ASSERT_NO_FATAL_FAILURE(Start(options));
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(connection->Send("GET / HTTP/1.1\r\nHost: x\r\n").has_value());
  // One header byte every 100 ms: always active, never complete. The read below waits on the
  // server's answer or close, 100 ms at a time, for at most 5 s.
  std::string received;
  bool closed = false;
  while (!closed && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    auto answer = connection->ReadUntilClosed(100);
    if (answer.has_value()) {
      received = *answer;
      closed = true;
    } else if (!connection->Send("X").has_value()) {
      closed = true;  // the server closed and the write failed
    }
  }
  auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  ASSERT_TRUE(closed) << "slow client still connected after 5 s";
  EXPECT_GE(elapsed_ms, kRequestTimeoutMs - 100);
  if (!received.empty()) {
    EXPECT_TRUE(received.starts_with("HTTP/1.1 408")) << received;
  }
  EXPECT_EQ(Get("/").status, 200);
}

TEST_P(SlowClient, DrippingBodyIsClosedAtTheRequestTimeout) {
  ServerOptions options;
  options.args = {"--open-writes", "--request-timeout-ms", std::to_string(kRequestTimeoutMs)};
  ASSERT_NO_FATAL_FAILURE(Start(options));
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(connection->Send(JsonPostHead("Content-Length: 100000\r\n")).has_value());
  bool closed = false;
  std::string received;
  while (!closed && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    auto answer = connection->ReadUntilClosed(100);
    if (answer.has_value()) {
      received = *answer;
      closed = true;
    } else if (!connection->Send(" ").has_value()) {
      closed = true;
    }
  }
  ASSERT_TRUE(closed) << "slow body still open after 5 s";
  if (!received.empty()) {
    EXPECT_TRUE(received.starts_with("HTTP/1.1 408")) << received;
  }
  EXPECT_EQ(Get("/").status, 200);
}

TEST_P(SlowClient, SilentConnectionDoesNotBlockOthers) {
  ServerOptions options;
  options.args = {"--request-timeout-ms", std::to_string(kRequestTimeoutMs)};
  ASSERT_NO_FATAL_FAILURE(Start(options));
  auto silent = Connect();
  ASSERT_TRUE(silent.has_value()) << silent.error().message;
  ASSERT_TRUE(silent->Send("GET / HTTP/1.1\r\n").has_value());
  EXPECT_EQ(Get("/healthz").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Transports, SlowClient, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& tls) {
                           return tls.param ? "Tls" : "Plain";
                         });

}  // namespace
}  // namespace fourdollar::e2e
