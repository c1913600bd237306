// Keep-alive, pipelining, Connection: close, idle timeout, many connections.
#include <chrono>
#include <string>
#include <vector>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class ConnectionTest : public ServerTest {};

TEST_F(ConnectionTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  for (int i = 0; i < 5; ++i) {
    auto response = connection->RoundTrip("GET", i % 2 == 0 ? "/" : "/healthz");
    ASSERT_TRUE(response.has_value()) << "request " << i << ": " << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_NE(response->Header("Connection"), "close");
  }
  auto created = connection->RoundTrip("POST", "/", JsonHeaders(server_->token()),
                                       PostJson("kept alive", "b"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->status, 303);
  auto list = connection->RoundTrip("GET", "/");
  ASSERT_TRUE(list.has_value()) << list.error().message;
  EXPECT_EQ(ParseListLinks(list->body).size(), 1u);
}

TEST_F(ConnectionTest, PipelinedRequestsAreAnsweredInOrder) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("pipelined post", "pipelined body");
  ASSERT_GT(id, 0);
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  std::string post_path = PostPath(id);
  std::string batch = FormatRequest("GET", "/healthz") + FormatRequest("GET", post_path) +
                      FormatRequest("GET", "/") + FormatRequest("HEAD", "/") +
                      FormatRequest("GET", "/999999") + FormatRequest("GET", "/healthz");
  ASSERT_TRUE(connection->Send(batch).has_value());
  struct Expected {
    int status;
    bool head;
    std::string contains;
  };
  const Expected expected[] = {{200, false, "ok\n"},
                               {200, false, "pipelined body"},
                               {200, false, "pipelined post"},
                               {200, true, ""},
                               {404, false, ""},
                               {200, false, "ok\n"}};
  for (size_t i = 0; i < std::size(expected); ++i) {
    auto response = connection->ReadResponse(expected[i].head);
    ASSERT_TRUE(response.has_value()) << "response " << i << ": " << response.error().message;
    EXPECT_EQ(response->status, expected[i].status) << "response " << i;
    EXPECT_NE(response->body.find(expected[i].contains), std::string::npos) << "response " << i;
    if (expected[i].head) {
      EXPECT_TRUE(response->body.empty());
    }
  }
}

TEST_F(ConnectionTest, PipelinedPostsAreAnsweredInOrderAndVisibleAfterwards) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  Headers headers = JsonHeaders(server_->token());
  std::string batch = FormatRequest("POST", "/", headers, PostJson("first", "1")) +
                      FormatRequest("POST", "/", headers, PostJson("", "invalid")) +
                      FormatRequest("POST", "/", headers, PostJson("second", "2")) +
                      FormatRequest("GET", "/");
  ASSERT_TRUE(connection->Send(batch).has_value());
  for (int expected_status : {303, 400, 303}) {
    auto response = connection->ReadResponse();
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, expected_status);
  }
  auto list = connection->ReadResponse();
  ASSERT_TRUE(list.has_value()) << list.error().message;
  std::vector<PostLink> links = ParseListLinks(list->body);
  ASSERT_EQ(links.size(), 2u) << list->body;
  EXPECT_EQ(links[0].title, "second");
  EXPECT_EQ(links[1].title, "first");
}

TEST_F(ConnectionTest, ConnectionCloseIsHonoured) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  auto response = connection->RoundTrip("GET", "/healthz", {{"Connection", "close"}});
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  auto rest = connection->ReadUntilClosed(5000);
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  EXPECT_TRUE(rest->empty());
}

TEST_F(ConnectionTest, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  ASSERT_TRUE(connection->Send("GET /healthz HTTP/1.0\r\n\r\n").has_value());
  auto rest = connection->ReadUntilClosed(5000);
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  EXPECT_TRUE(rest->starts_with("HTTP/1.")) << *rest;
  EXPECT_NE(rest->find(" 200 "), std::string::npos) << *rest;
  EXPECT_TRUE(rest->ends_with("ok\n")) << *rest;
}

TEST_F(ConnectionTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options;
  options.args = {"--idle-timeout-ms", "300"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  auto response = connection->RoundTrip("GET", "/healthz");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  auto idle_since = std::chrono::steady_clock::now();
  auto rest = connection->ReadUntilClosed(5000);
  auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - idle_since)
                     .count();
  ASSERT_TRUE(rest.has_value()) << "still open after 5 s: " << rest.error().message;
  EXPECT_TRUE(rest->empty()) << *rest;
  EXPECT_GE(idle_ms, 200);
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(ConnectionTest, KeepAliveConnectionStaysOpenWhileUsedBeforeIdleTimeout) {
  ServerOptions options;
  options.args = {"--idle-timeout-ms", "2000"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  auto start = std::chrono::steady_clock::now();
  // Requests for longer than the idle timeout, each soon after the last.
  int requests = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2500)) {
    auto response = connection->RoundTrip("GET", "/healthz");
    ASSERT_TRUE(response.has_value()) << "request " << requests << ": " << response.error().message;
    ++requests;
  }
  EXPECT_GT(requests, 1);
}

TEST_F(ConnectionTest, ServesManyOpenConnectionsAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::vector<HttpConnection> connections;
  for (int i = 0; i < 200; ++i) {
    auto connection = Connect();
    ASSERT_TRUE(connection.has_value()) << i << ": " << connection.error().message;
    ASSERT_TRUE(connection->Send(FormatRequest("GET", "/healthz")).has_value());
    connections.push_back(std::move(*connection));
  }
  for (size_t i = 0; i < connections.size(); ++i) {
    auto response = connections[i].ReadResponse();
    ASSERT_TRUE(response.has_value()) << i << ": " << response.error().message;
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(ConnectionTest, MaxConnectionsHoldsTheExtraOneInTheBacklogUntilOneCloses) {
  ServerOptions options;
  // One thread: the limit is then exactly the one loop's limit.
  options.args = {"--max-connections", "4", "--threads", "1"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  std::vector<HttpConnection> held;
  for (int i = 0; i < 4; ++i) {
    auto connection = Connect();
    ASSERT_TRUE(connection.has_value()) << connection.error().message;
    // A whole request and the start of another in one write: once the first is answered, the
    // second is under way, and a busy connection is not closed to make room.
    ASSERT_TRUE(connection->Send(FormatRequest("GET", "/healthz") + "GET /healthz HTTP/1.1\r\n"));
    auto response = connection->ReadResponse();
    ASSERT_TRUE(response.has_value()) << i << ": " << response.error().message;
    held.push_back(std::move(*connection));
  }
  // A fifth connection waits in the listen backlog while four are busy: neither answered nor
  // reset (reads time out after 1 s).
  auto extra = Connect(1000);
  ASSERT_TRUE(extra.has_value()) << extra.error().message;
  ASSERT_TRUE(extra->Send(FormatRequest("GET", "/healthz")).has_value());
  auto early = extra->ReadResponse();
  EXPECT_FALSE(early.has_value()) << "fifth connection served with " << early->status;
  // Once the four close, it is accepted and its request answered. Read again a few times: the
  // server notices the closes asynchronously, and a busy machine may take longer than a read's
  // timeout to give its loop thread the CPU.
  held.clear();
  Result<HttpResponse> late = MakeError(ErrorCode::kInternal, "not read");
  for (int attempt = 0; attempt < 10 && !late; ++attempt) late = extra->ReadResponse();
  ASSERT_TRUE(late.has_value()) << late.error().message;
  EXPECT_EQ(late->status, 200);
}

}  // namespace
}  // namespace fourdollar::e2e
