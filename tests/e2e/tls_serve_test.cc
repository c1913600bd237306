// `serve --tls-cert --tls-key` end to end: real handshakes with certificates made by the test,
// every route and error over TLS, the handshake's limits, resumption and the SIGHUP reload.
#include <signal.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "e2e/blog_pages.h"
#include "e2e/prometheus_text.h"
#include "e2e/server_fixture.h"
#include "hostile/hostile_clients.h"

namespace fourdollar::e2e {
namespace {

class TlsServe : public ServerTest {
 protected:
  double Handshakes(const std::map<std::string, std::string>& labels) {
    HttpResponse metrics = Get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    return FindSample(metrics.body, "fourdollar_tls_handshakes_total", labels).value_or(-1);
  }
  // A plain TCP connection to the TLS port.
  HttpConnection PlainConnection() {
    auto connection = HttpConnection::Connect(server_->host(), server_->port());
    EXPECT_TRUE(connection.has_value()) << connection.error().message;
    return std::move(*connection);
  }
};

TEST_F(TlsServe, EveryRouteAnswersOverTls13WithAlpnAndAnEcdsaCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer({.args = {"--open-writes"}}));
  EXPECT_TRUE(server_->ready().tls);
  EXPECT_TRUE(server_->ready().url().starts_with("https://")) << server_->ready().url();
  const int64_t id = CreatePostAndFindId("Over TLS", "a body sent encrypted");
  ASSERT_GT(id, 0);
  EXPECT_EQ(Get("/").status, 200);
  HttpResponse post = Get(PostPath(id));
  EXPECT_EQ(post.status, 200);
  EXPECT_NE(post.body.find("a body sent encrypted"), std::string::npos);
  EXPECT_EQ(Get(PostPath(999999)).status, 404);
  EXPECT_EQ(Get("/no/such/route").status, 404);
  EXPECT_EQ(Request("DELETE", "/").status, 405);
  EXPECT_EQ(Request("POST", "/", {{"Content-Type", "text/plain"}}, "x").status, 415);
  EXPECT_EQ(Get("/healthz").status, 200);
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  EXPECT_STREQ(connection->tls()->version(), "TLSv1.3");
  EXPECT_EQ(Handshakes({{"outcome", "full"}}) >= 9, true);
  HttpResponse metrics = Get("/metrics");
  EXPECT_GE(FindSample(metrics.body, "fourdollar_tls_connections_total", {{"version", "TLSv1.3"}})
                .value_or(0),
            9);
  EXPECT_GE(FindSample(metrics.body, "fourdollar_tls_handshake_duration_seconds_count").value_or(0),
            9);
  // Kernel TLS is not asked for by default.
  EXPECT_EQ(
      FindSample(metrics.body, "fourdollar_tls_kernel_connections_total", {{"direction", "send"}}),
      0);
}

TEST_F(TlsServe, EditsDeletesFeedStyleAndRevalidationAnswerOverTls) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  const Headers token = {{"Authorization", "Bearer " + server_->token()}};
  const int64_t id = CreatePostAndFindId("Encrypted", "*first* words");
  ASSERT_GT(id, 0);

  HttpResponse page = Get(PostPath(id));
  ASSERT_EQ(page.status, 200);
  const std::string etag = page.Header("ETag");
  ASSERT_FALSE(etag.empty());
  HttpResponse revalidated = Request("GET", PostPath(id), {{"If-None-Match", etag}});
  EXPECT_EQ(revalidated.status, 304);
  EXPECT_TRUE(revalidated.body.empty());
  HttpResponse source = Get(PostPath(id) + "?format=markdown");
  EXPECT_EQ(source.status, 200);
  EXPECT_EQ(source.body, "*first* words");
  HttpResponse head = Request("HEAD", "/");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  HttpResponse gzip = Request("GET", "/", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gzip.status, 200);
  EXPECT_EQ(gzip.Header("Content-Encoding"), "gzip");
  HttpResponse feed = Get("/feed.xml");
  EXPECT_EQ(feed.status, 200);
  EXPECT_NE(feed.body.find("Encrypted"), std::string::npos) << feed.body;
  EXPECT_EQ(Get("/style.css").status, 200);

  Headers put_headers = JsonHeaders(server_->token());
  put_headers.emplace_back("If-Match", "\"stale\"");
  EXPECT_EQ(Request("PUT", PostPath(id), put_headers, PostJson("Lost", "edit")).status, 412);
  put_headers.back().second = etag;
  EXPECT_EQ(Request("PUT", PostPath(id), put_headers, "{\"title\": ").status, 400);
  EXPECT_EQ(
      Request("PUT", PostPath(id), put_headers, PostJson("x", std::string(2 << 20, 'a'))).status,
      413);
  HttpResponse put = Request("PUT", PostPath(id), put_headers, PostJson("Edited", "new words"));
  EXPECT_EQ(put.status, 303) << put.body;
  EXPECT_EQ(put.Header("Location"), PostPath(id));
  std::optional<PostPage> edited = ParsePostPage(Get(PostPath(id)).body);
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->title, "Edited");

  EXPECT_EQ(Request("DELETE", PostPath(id)).status, 401);
  EXPECT_EQ(Request("DELETE", PostPath(id), token).status, 204);
  EXPECT_EQ(Get(PostPath(id)).status, 410);
  EXPECT_EQ(Request("DELETE", PostPath(id), token).status, 410);
}

// Whether the kernel offers the `tls` upper-layer protocol that kernel TLS needs (loaded; a
// kernel with the module on disk loads it at the first use).
bool KernelOffersTls() {
  std::ifstream ulps("/proc/sys/net/ipv4/tcp_available_ulp");
  std::string ulp;
  while (ulps >> ulp) {
    if (ulp == "tls") return true;
  }
  return false;
}

TEST_F(TlsServe, KernelTlsIsAskedForAndTheMetricSaysWhetherTheKernelTookIt) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer({.args = {"--tls-ktls"}}));
  EXPECT_EQ(Get("/").status, 200);
  const double full = Handshakes({{"outcome", "full"}});
  HttpResponse metrics = Get("/metrics");
  const double send =
      FindSample(metrics.body, "fourdollar_tls_kernel_connections_total", {{"direction", "send"}})
          .value_or(-1);
  const double receive = FindSample(metrics.body, "fourdollar_tls_kernel_connections_total",
                                    {{"direction", "receive"}})
                             .value_or(-1);
  ASSERT_GE(send, 0) << metrics.body;
  ASSERT_GE(receive, 0) << metrics.body;
  EXPECT_LE(send, full + 1);
  EXPECT_LE(receive, full + 1);
  // Read after the handshakes, which would have loaded a module on disk: without the `tls`
  // protocol the kernel cannot take a single connection, and the server still serves.
  if (!KernelOffersTls()) {
    EXPECT_EQ(send, 0);
    EXPECT_EQ(receive, 0);
  }
}

TEST_F(TlsServe, AnRsaCertificateServesToo) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer({}, /*rsa=*/true));
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(TlsServe, KeepAliveAndPipeliningWorkOverTls) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  std::string three;
  for (int i = 0; i < 3; ++i) three += FormatRequest("GET", "/");
  ASSERT_TRUE(connection->Send(three).has_value());
  for (int i = 0; i < 3; ++i) {
    auto response = connection->ReadResponse();
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(Handshakes({{"outcome", "full"}}), 2);  // this connection and the metrics one
}

TEST_F(TlsServe, PlainHttpOnTheTlsPortIsClosedAndCounted) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  HttpConnection plain = PlainConnection();
  ASSERT_TRUE(plain.Send(FormatRequest("GET", "/")).has_value());
  auto received = plain.ReadUntilClosed(5000);
  ASSERT_TRUE(received.has_value()) << received.error().message;
  EXPECT_EQ(*received, "");
  EXPECT_EQ(Handshakes({{"outcome", "failed"}, {"reason", "plain_http"}}), 1);
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(TlsServe, PartialClientHelloIsClosedAtTheHandshakeTimeout) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer({.args = {"--handshake-timeout-ms", "300"}}));
  HttpConnection partial = PlainConnection();
  // A handshake record header announcing 512 bytes, then only the first few of them.
  ASSERT_TRUE(
      partial.Send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)).has_value());
  auto received = partial.ReadUntilClosed(5000);
  ASSERT_TRUE(received.has_value()) << "not closed: " << received.error().message;
  EXPECT_EQ(Handshakes({{"outcome", "failed"}, {"reason", "timeout"}}), 1);
}

TEST_F(TlsServe, ARecordSentAByteAtATimeMeetsTheRequestTimeoutNotTheIdleOne) {
  ASSERT_NO_FATAL_FAILURE(
      StartTlsServer({.args = {"--request-timeout-ms", "500", "--idle-timeout-ms", "60000"}}));
  // One connection drips a sealed GET a byte every 50 ms: the record (about 90 bytes) is not
  // whole before the run ends, so not one byte of the request is ever readable.
  hostile::HostileOptions options{
      .mode = hostile::Mode::kSlowDrip,
      .target = *net::ParseEndpoint(server_->host() + ":" + std::to_string(server_->port())),
      .duration_ms = 2500,
      .connections = 1,
      .drip_interval_ms = 50,
      .tls = tls_client_,
      .tls_drip = hostile::TlsDrip::kPartialRecord};
  Result<hostile::HostileReport> report = hostile::RunHostile(options);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  SCOPED_TRACE(report->ToString());
  EXPECT_GE(report->handshakes, 1u);
  EXPECT_GE(report->closed_by_server, 1u);
  EXPECT_GE(report->statuses[408], 1u);
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(TlsServe, RandomBytesAsAHandshakeAreRefusedAndTheServerGoesOn) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  std::mt19937 random(12);
  for (int round = 0; round < 20; ++round) {
    std::string bytes(1 + random() % 4096, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    if (round % 2 == 0) bytes[0] = '\x16';  // past the first-byte check, into OpenSSL
    HttpConnection connection = PlainConnection();
    (void)connection.Send(bytes);  // the server may close before taking it all
    auto received = connection.ReadUntilClosed(5000);
    ASSERT_TRUE(received.has_value()) << "round " << round << ": " << received.error().message;
  }
  EXPECT_EQ(Get("/").status, 200);
  EXPECT_GE(Handshakes({{"outcome", "failed"}}), 10);
}

TEST_F(TlsServe, AReturningClientResumesItsSessionAndIsCountedAsResumed) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  net::TlsSession session;
  {
    auto first = Connect();
    ASSERT_TRUE(first.has_value()) << first.error().message;
    // TLS 1.3 sends its ticket after the handshake: a round trip brings it in.
    auto response = first->RoundTrip("GET", "/");
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_FALSE(first->tls()->resumed());
    session = first->tls()->Session();
    ASSERT_NE(session, nullptr);
  }
  auto again = HttpConnection::ConnectTls(server_->host(), server_->port(), tls_client_,
                                          "localhost", session);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(again->tls()->resumed());
  auto response = again->RoundTrip("GET", "/");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(Handshakes({{"outcome", "resumed"}}), 1);
}

TEST_F(TlsServe, SighupServesANewCertificateToNewConnectionsAndKeepsTheOldOnABrokenFile) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  auto before = Connect();
  ASSERT_TRUE(before.has_value()) << before.error().message;
  EXPECT_NE(before->tls()->PeerSubject().find("fourdollar test server"), std::string::npos);

  test_support::CertificateFiles renewed =
      ca_->Issue("renewed", {.common_name = "renewed certificate"});
  std::filesystem::copy_file(renewed.cert, server_certificate_.cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.key, server_certificate_.key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(server_->WaitForStderr("certificate reloaded", 5000)) << server_->StderrText();
  auto after = Connect();
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_NE(after->tls()->PeerSubject().find("renewed certificate"), std::string::npos);
  // The connection opened before keeps going on the old certificate.
  auto old_response = before->RoundTrip("GET", "/");
  ASSERT_TRUE(old_response.has_value()) << old_response.error().message;
  EXPECT_EQ(old_response->status, 200);

  data_dir_.Write("server.crt", "-----BEGIN CERTIFICATE-----\nbroken\n");
  ASSERT_EQ(::kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(server_->WaitForStderr("certificate not reloaded", 5000)) << server_->StderrText();
  EXPECT_NE(server_->StderrText().find("server.crt"), std::string::npos) << server_->StderrText();
  auto still = Connect();
  ASSERT_TRUE(still.has_value()) << still.error().message;
  EXPECT_NE(still->tls()->PeerSubject().find("renewed certificate"), std::string::npos);
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(TlsServe, ThePlainListenerRedirectsEveryRequestToHttpsAndHstsIsSent) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer({.args = {"--listen-plain", "127.0.0.1:0", "--hsts"}}));
  const std::string text = server_->StderrText();
  constexpr std::string_view kMarker = "redirecting http://127.0.0.1:";
  const size_t at = text.find(kMarker);
  ASSERT_NE(at, std::string::npos) << text;
  const uint16_t plain_port = static_cast<uint16_t>(std::stoi(text.substr(at + kMarker.size(), 5)));
  const std::string https_port = std::to_string(server_->port());
  // FormatRequest names 127.0.0.1 as the Host; these requests name their own.
  auto plain = [plain_port](const std::string& head) -> Result<HttpResponse> {
    auto connection = HttpConnection::Connect("127.0.0.1", plain_port);
    if (!connection) return tl::unexpected(connection.error());
    if (auto sent = connection->Send(head); !sent) return tl::unexpected(sent.error());
    return connection->ReadResponse();
  };
  auto redirect = plain("GET /12?x=1 HTTP/1.1\r\nHost: localhost:80\r\n\r\n");
  ASSERT_TRUE(redirect.has_value()) << redirect.error().message;
  EXPECT_EQ(redirect->status, 308);
  EXPECT_EQ(redirect->Header("Location"), "https://localhost:" + https_port + "/12?x=1");
  EXPECT_FALSE(redirect->HasHeader("Strict-Transport-Security"));
  auto post = plain("POST / HTTP/1.1\r\nHost: blog.example.org\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(post.has_value()) << post.error().message;
  EXPECT_EQ(post->status, 308);
  EXPECT_EQ(post->Header("Location"), "https://blog.example.org:" + https_port + "/");
  auto bad_host = plain("GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n");
  ASSERT_TRUE(bad_host.has_value()) << bad_host.error().message;
  EXPECT_EQ(bad_host->status, 400);
  HttpResponse secure = Get("/");
  EXPECT_EQ(secure.status, 200);
  EXPECT_EQ(secure.Header("Strict-Transport-Security"), "max-age=31536000");
}

TEST_F(TlsServe, AMissingKeyFileIsRefusedAtStartNamingIt) {
  test_support::TestCa ca(data_dir_.path().string(), "start");
  test_support::CertificateFiles files = ca.Issue("server");
  auto result =
      RunToExit(data_dir_.path(),
                {.args = {"--tls-cert", files.cert, "--tls-key", data_dir_.File("missing.key")}});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->exit_code, 2);
  EXPECT_NE(result->stderr_text.find("missing.key"), std::string::npos) << result->stderr_text;
  auto only_cert = RunToExit(data_dir_.path(), {.args = {"--tls-cert", files.cert}});
  ASSERT_TRUE(only_cert.has_value());
  EXPECT_EQ(only_cert->exit_code, 2);
  EXPECT_NE(only_cert->stderr_text.find("--tls-key"), std::string::npos) << only_cert->stderr_text;
}

}  // namespace
}  // namespace fourdollar::e2e
