#include "e2e/server_fixture.h"

#include "e2e/postgres_cluster.h"

namespace fourdollar::e2e {

void ServerTest::StartServer(const ServerOptions& options) {
  auto started = ServerProcess::Start(data_dir_.path(), options);
  ASSERT_TRUE(started.has_value()) << started.error().message;
  server_ = std::move(*started);
}

void ServerTest::StartTlsServer(const ServerOptions& options, bool rsa) {
  ca_ = std::make_unique<test_support::TestCa>(data_dir_.path().string(), "e2e");
  server_certificate_ = ca_->Issue("server", {.rsa = rsa});
  auto client = net::TlsContext::ForClient({.ca_file = ca_->ca_file()});
  ASSERT_TRUE(client.has_value()) << client.error().message;
  tls_client_ = std::move(*client);
  ServerOptions tls_options = options;
  tls_options.args.insert(tls_options.args.end(), {"--tls-cert", server_certificate_.cert,
                                                   "--tls-key", server_certificate_.key});
  StartServer(tls_options);
}

void ServerTest::RestartServer(const ServerOptions& options) {
  ASSERT_NE(server_, nullptr);
  auto code = server_->Stop();
  ASSERT_TRUE(code.has_value()) << code.error().message;
  ASSERT_EQ(*code, 0) << server_->StderrText();
  server_.reset();
  StartServer(options);
}

Result<HttpResponse> ServerTest::TryRequest(std::string_view method, std::string_view target,
                                            const Headers& headers, std::string_view body) {
  if (!tls_client_) return Fetch(server_->host(), server_->port(), method, target, headers, body);
  auto connection = Connect();
  if (!connection) return tl::unexpected(connection.error());
  return connection->RoundTrip(method, target, headers, body);
}

HttpResponse ServerTest::Request(std::string_view method, std::string_view target,
                                 const Headers& headers, std::string_view body) {
  if (server_ == nullptr) {
    ADD_FAILURE() << "no server running";
    return {};
  }
  Result<HttpResponse> response = TryRequest(method, target, headers, body);
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
  if (tls_client_) {
    return HttpConnection::ConnectTls(server_->host(), server_->port(), tls_client_, "localhost",
                                      nullptr, timeout_ms);
  }
  return HttpConnection::Connect(server_->host(), server_->port(), timeout_ms);
}

void EachStoreTest::SetUp() {
  ServerOptions options;
  if (GetParam()) {
    std::optional<std::string> admin = Env("FOURDOLLAR_TEST_PG_URL");
    if (!admin) GTEST_SKIP() << kNoPostgres;
    auto url = CreateDatabase(*admin);
    ASSERT_TRUE(url.has_value()) << url.error().message;
    options = PostgresServer(*url);
  }
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
}

std::string StoreName(const ::testing::TestParamInfo<bool>& param) {
  return param.param ? "Postgres" : "Sqlite";
}

}  // namespace fourdollar::e2e
