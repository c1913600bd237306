// OpenSSL contexts (SSL_CTX) for the server and for the load generator: certificates, versions,
// ALPN, session resumption. One context is shared by every loop thread; each TlsStream made from
// it keeps it alive, so a context swapped after a certificate reload stays valid for the
// connections already open.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

using SSL_CTX = struct ssl_ctx_st;

namespace fourdollar::net {

struct TlsServerFiles {
  std::string cert_file;  // PEM: the certificate, then its chain
  std::string key_file;   // PEM: the private key (ECDSA or RSA)
};

struct TlsClientOptions {
  std::string ca_file;    // PEM of trusted CAs; empty: the system's store
  bool insecure = false;  // no verification of the server's certificate at all
};

// Immutable once made. Thread-safe: OpenSSL locks what a context shares (its session cache).
class TlsContext {
 public:
  // TLS 1.2 and 1.3, ALPN http/1.1, tickets and a session cache. Errors name the file and what
  // is wrong with it ("--tls-cert FILE: no certificate in it", "key does not match").
  static Result<std::shared_ptr<TlsContext>> ForServer(const TlsServerFiles& files);
  // Verifies the server's chain and host name unless `insecure`; offers ALPN http/1.1; keeps
  // no session cache of its own (a client resumes with the session its caller kept).
  static Result<std::shared_ptr<TlsContext>> ForClient(const TlsClientOptions& options);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() const { return ctx_; }
  bool is_server() const { return server_; }
  bool verifies() const { return verifies_; }
  // The certificate's subject and expiry, for logs ("CN=example.org, expires 2027-03-01").
  const std::string& description() const { return description_; }
  // Asks for kernel TLS on the connections made from now on (SSL_OP_ENABLE_KTLS); whether the
  // kernel takes it is up to the kernel's `tls` module and the cipher.
  void EnableKernelTls();

 private:
  TlsContext(SSL_CTX* ctx, bool server) : ctx_(ctx), server_(server) {}
  SSL_CTX* ctx_;
  bool server_;
  bool verifies_ = false;
  std::string description_;
};

// The last OpenSSL error of this thread as text, and clears the queue ("" when none).
std::string TakeOpenSslError();

}  // namespace fourdollar::net
