// One TLS connection driven non-blocking over a socket the caller owns and watches (both
// EPOLLIN and EPOLLOUT, edge-triggered): every call returns kWouldBlock when OpenSSL needs the
// socket readable or writable, and the caller simply retries at the socket's next event.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/io_result.h"
#include "net/tls_context.h"

using SSL = struct ssl_st;
using SSL_SESSION = struct ssl_session_st;

namespace fourdollar::net {

// A session a client may resume on its next connection to the same server.
using TlsSession = std::shared_ptr<SSL_SESSION>;

// Why a handshake failed, as far as the side that saw it can tell.
enum class TlsFailure {
  kNone,
  kVerification,  // the peer's certificate was refused (expired, wrong name, unknown CA)
  kProtocol,      // anything else in the handshake or the records: versions, alerts, garbage
};

// Not thread-safe: used on its loop's thread.
class TlsStream {
 public:
  // The server's side of an accepted socket `fd` (not owned).
  static Result<std::unique_ptr<TlsStream>> Accept(std::shared_ptr<const TlsContext> context,
                                                   int fd);
  // The client's side of a connected socket `fd` (not owned). `server_name` goes in SNI (not
  // for an IP address) and is what the certificate must name when the context verifies.
  // `resume`, when set, is offered for resumption.
  static Result<std::unique_ptr<TlsStream>> Connect(std::shared_ptr<const TlsContext> context,
                                                    int fd, const std::string& server_name,
                                                    const TlsSession& resume);
  // Connect's client over memory instead of a socket: the caller hands it the bytes that came
  // from the peer (Feed) and sends what it takes (TakeOutput) when and how it likes, e.g. one
  // byte of a record at a time.
  static Result<std::unique_ptr<TlsStream>> ConnectBuffered(
      std::shared_ptr<const TlsContext> context, const std::string& server_name,
      const TlsSession& resume);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Advances the handshake: kDone once it is complete, kWouldBlock to wait, kEof when the peer
  // left, kError with failure() and error() set.
  IoResult Handshake();
  IoResult Read(char* buffer, size_t size);
  IoResult Write(const char* data, size_t size);
  // Sends close_notify, once, without waiting for the peer's.
  void SendCloseNotify();
  // A ConnectBuffered stream only: bytes received from the peer, for Handshake and Read.
  void Feed(std::string_view bytes);
  // A ConnectBuffered stream only: the bytes Handshake and Write made, to send; moves them out.
  std::string TakeOutput();
  // Input OpenSSL holds and has not returned yet: decrypted bytes, or part of a record.
  bool HasBufferedInput() const;
  // Whether the kernel seals the records sent (kTLS, asked for by TlsContext::EnableKernelTls
  // and taken by the kernel's `tls` module), and opens those received. Known once the
  // handshake is done.
  bool KernelSends() const;
  bool KernelReceives() const;

  bool handshake_done() const { return handshake_done_; }
  bool resumed() const;
  // "TLSv1.3", "TLSv1.2".
  const char* version() const;
  TlsFailure failure() const { return failure_; }
  // What went wrong, in words: "certificate has expired", "hostname mismatch"...
  const std::string& error() const { return error_; }
  // The peer certificate's subject ("/CN=..."), or "" when it sent none.
  std::string PeerSubject() const;
  // The session to resume next time (client side), or null when there is none to resume.
  TlsSession Session() const;

 private:
  TlsStream(std::shared_ptr<const TlsContext> context, SSL* ssl)
      : context_(std::move(context)), ssl_(ssl) {}
  // The client's SSL with SNI, host verification and the session to resume; no transport yet.
  static Result<std::unique_ptr<TlsStream>> MakeClient(std::shared_ptr<const TlsContext> context,
                                                       const std::string& server_name,
                                                       const TlsSession& resume);
  IoResult Failed(int ret);

  std::shared_ptr<const TlsContext> context_;
  SSL* ssl_;
  bool handshake_done_ = false;
  bool close_notify_sent_ = false;
  TlsFailure failure_ = TlsFailure::kNone;
  std::string error_;
};

}  // namespace fourdollar::net
