// A GoogleTest fixture that owns a data folder and a running server, with request helpers that
// turn transport errors into test failures. One test thread uses it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "e2e/blog_pages.h"
#include "e2e/http_client.h"
#include "e2e/server_process.h"
#include "net/tls_context.h"
#include "support/test_certificates.h"

namespace fourdollar::e2e {

class ServerTest : public ::testing::Test {
 protected:
  // Starts the server in data_dir_. Fatal failure when it does not start; call it inside
  // ASSERT_NO_FATAL_FAILURE.
  void StartServer(const ServerOptions& options = {});
  // StartServer over HTTPS: a CA and a certificate for localhost and 127.0.0.1 are made in the
  // data folder (ECDSA P-256, or RSA with `rsa`), and Request and Connect speak TLS, verifying.
  void StartTlsServer(const ServerOptions& options = {}, bool rsa = false);
  // Stops the running server with SIGTERM (expecting exit code 0), then starts a new one on the
  // same data folder.
  void RestartServer(const ServerOptions& options = {});

  // One request on a fresh connection; a transport error fails the test and returns status 0.
  HttpResponse Request(std::string_view method, std::string_view target,
                       const Headers& headers = {}, std::string_view body = "");
  // The same, with a transport error returned to the caller (a server shedding connections).
  Result<HttpResponse> TryRequest(std::string_view method, std::string_view target,
                                  const Headers& headers = {}, std::string_view body = "");
  HttpResponse Get(std::string_view target) { return Request("GET", target); }
  // POST / with a JSON body and the server's write token.
  HttpResponse CreatePost(std::string_view title, std::string_view body);
  // Creates a post (expecting 303) and finds its id on the list page.
  int64_t CreatePostAndFindId(const std::string& title, std::string_view body);
  // A new connection to the running server.
  Result<HttpConnection> Connect(int timeout_ms = 10000);

  TempDir data_dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<test_support::TestCa> ca_;           // with StartTlsServer
  test_support::CertificateFiles server_certificate_;  // with StartTlsServer
  std::shared_ptr<const net::TlsContext> tls_client_;  // set: requests go over TLS
};

// A ServerTest whose server is started in SetUp, on SQLite (parameter false) or on a new
// database of the PostgreSQL cluster (true; skipped, saying why, without one). Instantiate with
// ::testing::Values(false, true) and StoreName.
class EachStoreTest : public ServerTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override;
};
std::string StoreName(const ::testing::TestParamInfo<bool>& param);

}  // namespace fourdollar::e2e
