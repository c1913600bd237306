#include "load/transport.h"

#include <sys/socket.h>

#include <cerrno>

namespace fourdollar::load {

Status TcpTransport::Open(const net::Endpoint& endpoint, const net::Endpoint* source) {
  Result<UniqueFd> fd = net::StartConnect(endpoint, source);
  if (!fd) return tl::unexpected(fd.error());
  fd_ = std::move(*fd);
  return {};
}

int TcpTransport::FinishConnect() { return net::ConnectResult(fd_.get()); }

IoResult TcpTransport::Read(char* buffer, size_t size) {
  while (true) {
    ssize_t n = ::recv(fd_.get(), buffer, size, 0);
    if (n > 0) return {IoResult::Kind::kDone, static_cast<size_t>(n), 0};
    if (n == 0) return {IoResult::Kind::kEof, 0, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Kind::kWouldBlock, 0, 0};
    return {IoResult::Kind::kError, 0, errno};
  }
}

IoResult TcpTransport::Write(const char* data, size_t size) {
  while (true) {
    ssize_t n = ::send(fd_.get(), data, size, MSG_NOSIGNAL);
    if (n >= 0) return {IoResult::Kind::kDone, static_cast<size_t>(n), 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Kind::kWouldBlock, 0, 0};
    return {IoResult::Kind::kError, 0, errno};
  }
}

std::string_view K6TlsVersion(std::string_view openssl_name) {
  if (openssl_name == "TLSv1.3") return "tls1.3";
  if (openssl_name == "TLSv1.2") return "tls1.2";
  if (openssl_name == "TLSv1.1") return "tls1.1";
  if (openssl_name == "TLSv1") return "tls1.0";
  return "";
}

int TlsTransport::FinishConnect() {
  int error = tcp_.FinishConnect();
  if (error != 0) return error;
  failure_ = net::TlsFailure::kNone;
  error_.clear();
  resumed_ = false;
  version_ = {};
  Result<std::unique_ptr<net::TlsStream>> stream =
      net::TlsStream::Connect(context_, tcp_.fd(), server_name_, session_);
  if (!stream) return ENOMEM;
  stream_ = std::move(*stream);
  return 0;
}

IoResult TlsTransport::Handshake() {
  IoResult r = stream_->Handshake();
  if (r.kind == IoResult::Kind::kDone) {
    resumed_ = stream_->resumed();
    version_ = K6TlsVersion(stream_->version());
  } else if (r.kind == IoResult::Kind::kError) {
    failure_ = stream_->failure() == net::TlsFailure::kNone ? net::TlsFailure::kProtocol
                                                            : stream_->failure();
    error_ = stream_->error().empty() ? "TLS handshake failed" : stream_->error();
  } else if (r.kind == IoResult::Kind::kEof) {
    failure_ = net::TlsFailure::kProtocol;
    error_ = "the server closed the connection during the TLS handshake";
  }
  return r;
}

void TlsTransport::Close() {
  if (stream_) {
    // The session is taken at the end, once the server's tickets (sent after the handshake in
    // TLS 1.3) have arrived with the response.
    if (resume_ && stream_->handshake_done()) {
      if (net::TlsSession session = stream_->Session()) session_ = std::move(session);
    }
    if (!resume_) session_.reset();
    stream_->SendCloseNotify();
    stream_.reset();
  }
  tcp_.Close();
}

}  // namespace fourdollar::load
