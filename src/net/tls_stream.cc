#include "net/tls_stream.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

namespace fourdollar::net {

namespace {

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

Result<std::unique_ptr<TlsStream>> TlsStream::Accept(std::shared_ptr<const TlsContext> context,
                                                     int fd) {
  ERR_clear_error();
  SSL* ssl = SSL_new(context->get());
  if (ssl == nullptr) return MakeError(ErrorCode::kResourceExhausted, "SSL_new: out of memory");
  std::unique_ptr<TlsStream> stream(new TlsStream(std::move(context), ssl));
  if (SSL_set_fd(ssl, fd) != 1) return MakeError(ErrorCode::kInternal, "SSL_set_fd failed");
  SSL_set_accept_state(ssl);
  return stream;
}

Result<std::unique_ptr<TlsStream>> TlsStream::MakeClient(std::shared_ptr<const TlsContext> context,
                                                         const std::string& server_name,
                                                         const TlsSession& resume) {
  ERR_clear_error();
  const bool verifies = context->verifies();
  SSL* ssl = SSL_new(context->get());
  if (ssl == nullptr) return MakeError(ErrorCode::kResourceExhausted, "SSL_new: out of memory");
  std::unique_ptr<TlsStream> stream(new TlsStream(std::move(context), ssl));
  const bool ip = IsIpAddress(server_name);
  // RFC 6066: SNI carries host names only, never addresses.
  if (!server_name.empty() && !ip) {
    // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(server_name.c_str()));
  }
  if (verifies && !server_name.empty()) {
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str());
    } else {
      SSL_set1_host(ssl, server_name.c_str());
    }
  }
  if (resume) SSL_set_session(ssl, resume.get());
  SSL_set_connect_state(ssl);
  return stream;
}

Result<std::unique_ptr<TlsStream>> TlsStream::Connect(std::shared_ptr<const TlsContext> context,
                                                      int fd, const std::string& server_name,
                                                      const TlsSession& resume) {
  Result<std::unique_ptr<TlsStream>> stream = MakeClient(std::move(context), server_name, resume);
  if (!stream) return stream;
  if (SSL_set_fd((*stream)->ssl_, fd) != 1) {
    return MakeError(ErrorCode::kInternal, "SSL_set_fd failed");
  }
  return stream;
}

Result<std::unique_ptr<TlsStream>> TlsStream::ConnectBuffered(
    std::shared_ptr<const TlsContext> context, const std::string& server_name,
    const TlsSession& resume) {
  Result<std::unique_ptr<TlsStream>> stream = MakeClient(std::move(context), server_name, resume);
  if (!stream) return stream;
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return MakeError(ErrorCode::kResourceExhausted, "BIO_new: out of memory");
  }
  // An empty input asks to be retried (SSL_ERROR_WANT_READ) rather than reading as the end.
  BIO_set_mem_eof_return(in, -1);
  SSL_set_bio((*stream)->ssl_, in, out);
  return stream;
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

IoResult TlsStream::Handshake() {
  if (handshake_done_) return {IoResult::Kind::kDone, 0, 0};
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    handshake_done_ = true;
    return {IoResult::Kind::kDone, 0, 0};
  }
  return Failed(ret);
}

IoResult TlsStream::Read(char* buffer, size_t size) {
  ERR_clear_error();
  size_t n = 0;
  int ret = SSL_read_ex(ssl_, buffer, size, &n);
  if (ret == 1) return {IoResult::Kind::kDone, n, 0};
  return Failed(ret);
}

IoResult TlsStream::Write(const char* data, size_t size) {
  ERR_clear_error();
  size_t n = 0;
  int ret = SSL_write_ex(ssl_, data, size, &n);
  if (ret == 1) return {IoResult::Kind::kDone, n, 0};
  return Failed(ret);
}

IoResult TlsStream::Failed(int ret) {
  int error = SSL_get_error(ssl_, ret);
  switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return {IoResult::Kind::kWouldBlock, 0, 0};
    case SSL_ERROR_ZERO_RETURN:
      return {IoResult::Kind::kEof, 0, 0};
    case SSL_ERROR_SYSCALL: {
      int saved = errno;
      ERR_clear_error();
      if (saved == 0) return {IoResult::Kind::kEof, 0, 0};
      error_ = std::strerror(saved);
      return {IoResult::Kind::kError, 0, saved};
    }
    default:
      break;
  }
  long verify = SSL_get_verify_result(ssl_);
  if (!handshake_done_ && verify != X509_V_OK) {
    failure_ = TlsFailure::kVerification;
    error_ =
        std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
    ERR_clear_error();
  } else {
    failure_ = TlsFailure::kProtocol;
    std::string reason = TakeOpenSslError();
    error_ = "TLS error: " + (reason.empty() ? std::string("protocol error") : reason);
  }
  return {IoResult::Kind::kError, 0, 0};
}

void TlsStream::SendCloseNotify() {
  if (close_notify_sent_ || !handshake_done_) return;
  close_notify_sent_ = true;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);  // best effort: the socket is being closed anyway
  ERR_clear_error();
}

void TlsStream::Feed(std::string_view bytes) {
  if (!bytes.empty()) BIO_write(SSL_get_rbio(ssl_), bytes.data(), static_cast<int>(bytes.size()));
}

std::string TlsStream::TakeOutput() {
  BIO* out = SSL_get_wbio(ssl_);
  std::string bytes(BIO_ctrl_pending(out), '\0');
  if (!bytes.empty()) BIO_read(out, bytes.data(), static_cast<int>(bytes.size()));
  return bytes;
}

// SSL_has_pending counts a record read in part (SSL_pending counts only decrypted bytes).
bool TlsStream::HasBufferedInput() const { return SSL_has_pending(ssl_) == 1; }

// 0 when OpenSSL was built without kTLS (OPENSSL_NO_KTLS).
bool TlsStream::KernelSends() const { return BIO_get_ktls_send(SSL_get_wbio(ssl_)); }

bool TlsStream::KernelReceives() const { return BIO_get_ktls_recv(SSL_get_rbio(ssl_)); }

bool TlsStream::resumed() const { return SSL_session_reused(ssl_) == 1; }

const char* TlsStream::version() const { return SSL_get_version(ssl_); }

std::string TlsStream::PeerSubject() const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (cert == nullptr) return "";
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  return subject;
}

TlsSession TlsStream::Session() const {
  SSL_SESSION* current = SSL_get0_session(ssl_);
  if (current == nullptr || SSL_SESSION_is_resumable(current) != 1) return nullptr;
  // A copy: SSL_free marks the connection's own session unresumable when the connection ends
  // without close_notify, as a dropped keep-alive connection does.
  SSL_SESSION* copy = SSL_SESSION_dup(current);
  if (copy == nullptr) return nullptr;
  return TlsSession(copy, SSL_SESSION_free);
}

}  // namespace fourdollar::net
