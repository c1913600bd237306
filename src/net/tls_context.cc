#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace fourdollar::net {

namespace {

constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kSessionIdContext[] = "fourdollar";
// Server-side sessions kept for resumption by session id (TLS 1.2 clients without tickets).
constexpr long kSessionCacheSize = 20000;

// Picks http/1.1 when the client offers it; a client offering only other protocols (h2) gets
// no ALPN answer and still speaks HTTP/1.1 or leaves.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
               unsigned int in_length, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kAlpnHttp11, sizeof kAlpnHttp11, in,
                            in_length) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Status CheckReadable(const std::string& what, const std::string& file) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     what + " " + file + ": cannot read it: " + std::strerror(errno));
  }
  std::fclose(f);
  return {};
}

std::string Describe(X509* cert) {
  if (cert == nullptr) return "no certificate";
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  std::string text = subject;
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio != nullptr && ASN1_TIME_print(bio, X509_get0_notAfter(cert)) == 1) {
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    text += ", expires " + std::string(data, static_cast<size_t>(length));
  }
  BIO_free(bio);
  return text;
}

void SetCommonOptions(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A peer that closes without close_notify is an end of stream, not an error (HTTP frames its
  // own messages); renegotiation is refused (a CPU cost a client could impose at will).
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  // Idle connections give their 2 x 16 KB record buffers back; writes may be partial and the
  // unsent bytes may move in memory between retries (the output string grows).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

}  // namespace

std::string TakeOpenSslError() {
  unsigned long code = ERR_get_error();
  std::string text;
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    text = reason != nullptr ? reason : "error " + std::to_string(code);
  }
  ERR_clear_error();
  return text;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::shared_ptr<TlsContext>> TlsContext::ForServer(const TlsServerFiles& files) {
  if (Status s = CheckReadable("certificate file", files.cert_file); !s) {
    return tl::unexpected(s.error());
  }
  if (Status s = CheckReadable("key file", files.key_file); !s) return tl::unexpected(s.error());
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return MakeError(ErrorCode::kInternal, "SSL_CTX_new: " + TakeOpenSslError());
  std::shared_ptr<TlsContext> context(new TlsContext(ctx, true));
  SetCommonOptions(ctx);
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_sess_set_cache_size(ctx, kSessionCacheSize);
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
  // One TLS 1.3 ticket per full handshake (OpenSSL sends two): a client resumes with one.
  SSL_CTX_set_num_tickets(ctx, 1);
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1) {
    return MakeError(ErrorCode::kInvalidArgument, "certificate file " + files.cert_file +
                                                      ": not a PEM certificate chain (" +
                                                      TakeOpenSslError() + ")");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "key file " + files.key_file + ": not a PEM private key (" + TakeOpenSslError() + ")");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "key file " + files.key_file + ": does not match the certificate in " + files.cert_file);
  }
  context->description_ = Describe(SSL_CTX_get0_certificate(ctx));
  return context;
}

Result<std::shared_ptr<TlsContext>> TlsContext::ForClient(const TlsClientOptions& options) {
  if (!options.ca_file.empty()) {
    if (Status s = CheckReadable("CA file", options.ca_file); !s) {
      return tl::unexpected(s.error());
    }
  }
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return MakeError(ErrorCode::kInternal, "SSL_CTX_new: " + TakeOpenSslError());
  std::shared_ptr<TlsContext> context(new TlsContext(ctx, false));
  SetCommonOptions(ctx);
  // Sessions are kept by the connection that wants to resume, not in a shared cache.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_alpn_protos(ctx, kAlpnHttp11, sizeof kAlpnHttp11) != 0) {
    return MakeError(ErrorCode::kInternal, "ALPN: " + TakeOpenSslError());
  }
  if (options.insecure) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    context->description_ = "certificates NOT verified (tls: insecure: true)";
    return context;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "CA file " + options.ca_file + ": no PEM certificate in it (" + TakeOpenSslError() + ")");
    }
    context->description_ = "verified against " + options.ca_file;
  } else {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return MakeError(ErrorCode::kInternal,
                       "the system's CA store cannot be loaded: " + TakeOpenSslError());
    }
    context->description_ = "verified against the system's CA store";
  }
  context->verifies_ = true;
  return context;
}

void TlsContext::EnableKernelTls() {
#ifdef SSL_OP_ENABLE_KTLS
  SSL_CTX_set_options(ctx_, SSL_OP_ENABLE_KTLS);
#endif
}

}  // namespace fourdollar::net
