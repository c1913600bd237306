// The byte stream under a client connection: plain TCP or TLS over TCP. The virtual users and
// the connection logic are the same for both.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "net/io_result.h"
#include "net/tcp.h"
#include "net/tls_stream.h"

namespace fourdollar::load {

using net::IoResult;

// OpenSSL's name of a version ("TLSv1.3", SSL_get_version) as k6 writes it ("tls1.3"); "" for
// one k6 does not name.
std::string_view K6TlsVersion(std::string_view openssl_name);

class Transport {
 public:
  virtual ~Transport() = default;
  // Starts a non-blocking connect, from `source` when not null. The socket is then watched for
  // writability.
  virtual Status Open(const net::Endpoint& endpoint, const net::Endpoint* source) = 0;
  // Called when the socket became writable after Open: 0 when connected, else an errno.
  virtual int FinishConnect() = 0;
  // After FinishConnect: advances the TLS handshake (kDone at once for plain TCP). On kError,
  // tls_failure() and tls_error() say why.
  virtual IoResult Handshake() { return {IoResult::Kind::kDone, 0, 0}; }
  virtual IoResult Read(char* buffer, size_t size) = 0;
  virtual IoResult Write(const char* data, size_t size) = 0;
  virtual void Close() = 0;
  virtual int fd() const = 0;

  virtual bool secure() const { return false; }
  // TLS: whether a new connection offers the session of the one before.
  virtual void SetResume(bool) {}
  // Whether the last handshake resumed a session.
  virtual bool resumed() const { return false; }
  // The version the last handshake settled on, as k6 names it ("tls1.3"); "" over plain TCP or
  // before a handshake ends.
  virtual std::string_view tls_version() const { return {}; }
  virtual net::TlsFailure tls_failure() const { return net::TlsFailure::kNone; }
  virtual std::string tls_error() const { return {}; }
};

class TcpTransport final : public Transport {
 public:
  Status Open(const net::Endpoint& endpoint, const net::Endpoint* source) override;
  int FinishConnect() override;
  IoResult Read(char* buffer, size_t size) override;
  IoResult Write(const char* data, size_t size) override;
  void Close() override { fd_.Reset(); }
  int fd() const override { return fd_.get(); }

 private:
  UniqueFd fd_;
};

// TLS over a TcpTransport's socket. With `resume`, the session of the previous connection is
// offered on the next one (a returning visitor); without, every connection is a full handshake.
class TlsTransport final : public Transport {
 public:
  TlsTransport(std::shared_ptr<const net::TlsContext> context, std::string server_name, bool resume)
      : context_(std::move(context)), server_name_(std::move(server_name)), resume_(resume) {}

  Status Open(const net::Endpoint& endpoint, const net::Endpoint* source) override {
    return tcp_.Open(endpoint, source);
  }
  int FinishConnect() override;
  IoResult Handshake() override;
  IoResult Read(char* buffer, size_t size) override { return stream_->Read(buffer, size); }
  IoResult Write(const char* data, size_t size) override { return stream_->Write(data, size); }
  void Close() override;
  int fd() const override { return tcp_.fd(); }

  bool secure() const override { return true; }
  void SetResume(bool resume) override { resume_ = resume; }
  bool resumed() const override { return resumed_; }
  std::string_view tls_version() const override { return version_; }
  net::TlsFailure tls_failure() const override { return failure_; }
  std::string tls_error() const override { return error_; }

 private:
  std::shared_ptr<const net::TlsContext> context_;
  std::string server_name_;
  bool resume_;
  TcpTransport tcp_;
  std::unique_ptr<net::TlsStream> stream_;
  net::TlsSession session_;  // to offer on the next connection, with resume_
  bool resumed_ = false;
  std::string_view version_;  // a literal
  net::TlsFailure failure_ = net::TlsFailure::kNone;
  std::string error_;
};

}  // namespace fourdollar::load
