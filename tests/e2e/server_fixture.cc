#include "e2e/server_fixture.h"

namespace fourdollar::e2e {

void ServerTest::StartServer(const ServerOptions& options) {
  auto started = ServerProcess::Start(data_dir_.path(), options);
  ASSERT_TRUE(started.has_value()) << started.error().message;
  server_ = std::move(*started);
}

void ServerTest::RestartServer(const ServerOptions& options) {
  ASSERT_NE(server_, nullptr);
  auto code = server_->Stop();
  ASSERT_TRUE(code.has_value()) << code.error().message;
  ASSERT_EQ(*code, 0) << server_->StderrText();
  server_.reset();
  StartServer(options);
}

HttpResponse ServerTest::Request(std::string_view method, std::string_view target,
                                 const Headers& headers, std::string_view body) {
  if (server_ == nullptr) {
    ADD_FAILURE() << "no server running";
    return {};
  }
  auto response = Fetch(server_->host(), server_->port(), method, target, headers, body);
  if (!response) {
    ADD_FAILURE() << method << " " << target << ": " << response.error().message;
    return {};
  }
  return *response;
}

HttpResponse ServerTest::CreatePost(std::string_view title, std::string_view body) {
  return Request("POST", "/", JsonHeaders(server_->token()), PostJson(title, body));
}

int64_t ServerTest::CreatePostAndFindId(const std::string& title, std::string_view body) {
  HttpResponse created = CreatePost(title, body);
  EXPECT_EQ(created.status, 303) << created.body;
  HttpResponse list = Get("/");
  for (const PostLink& link : ParseListLinks(list.body)) {
    if (link.title == title) return link.id;
  }
  ADD_FAILURE() << "post '" << title << "' not on the list page: " << list.body;
  return 0;
}

Result<HttpConnection> ServerTest::Connect(int timeout_ms) {
  return HttpConnection::Connect(server_->host(), server_->port(), timeout_ms);
}

}  // namespace fourdollar::e2e
