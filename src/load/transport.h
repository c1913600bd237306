// The byte stream under a client connection: plain TCP here. A TLS transport can implement the
// same interface without the virtual users or the connection logic changing.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>

#include "base/result.h"
#include "base/unique_fd.h"
#include "net/tcp.h"

namespace fourdollar::load {

struct IoResult {
  enum class Kind { kDone, kWouldBlock, kEof, kError };
  Kind kind = Kind::kDone;
  size_t bytes = 0;
  int error = 0;  // errno with kError
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Starts a non-blocking connect. The socket is then watched for writability.
  virtual Status Open(const net::Endpoint& endpoint) = 0;
  // Called when the socket became writable after Open: 0 when connected, else an errno.
  virtual int FinishConnect() = 0;
  virtual IoResult Read(char* buffer, size_t size) = 0;
  virtual IoResult Write(const char* data, size_t size) = 0;
  virtual void Close() = 0;
  virtual int fd() const = 0;
};

class TcpTransport final : public Transport {
 public:
  Status Open(const net::Endpoint& endpoint) override;
  int FinishConnect() override;
  IoResult Read(char* buffer, size_t size) override;
  IoResult Write(const char* data, size_t size) override;
  void Close() override { fd_.Reset(); }
  int fd() const override { return fd_.get(); }

 private:
  UniqueFd fd_;
};

}  // namespace fourdollar::load
