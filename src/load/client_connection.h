// One keep-alive HTTP/1.1 client connection on an event loop, one request at a time. Opens (and
// re-opens after errors) by itself; each request has a timeout.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/response_parser.h"
#include "load/transport.h"
#include "net/event_loop.h"
#include "results/recorder.h"

namespace fourdollar::load {

struct Exchange {
  results::FailureKind failure =
      results::FailureKind::kNone;  // kConnect, kTimeout, kReset, kParse or kNone
  std::string error;                // what went wrong, for the first errors' log
  // When failure == kNone, the response, valid until the connection's next Send; else empty.
  const http::ClientResponse* response = &kNoResponse;

  static const http::ClientResponse kNoResponse;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
};

class ConnectionListener {
 public:
  // Called once per Send, on the loop thread, never from inside Send.
  virtual void OnExchange(Exchange exchange) = 0;

 protected:
  ~ConnectionListener() = default;
};

// Not thread-safe: used on its loop's thread only.
class ClientConnection final : public net::IoHandler {
 public:
  // `read_buffer` (kReadBufferBytes, shared by the thread's connections) must outlive this.
  ClientConnection(net::EventLoop& loop, const net::Endpoint& endpoint,
                   std::unique_ptr<Transport> transport, char* read_buffer,
                   ConnectionListener& listener);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  static constexpr size_t kReadBufferBytes = 64 * 1024;

  // Sends `request` (whole HTTP/1.1 bytes) and reports the response or failure to the listener.
  // `request` is swapped with the previous request's buffer, so a caller that builds each
  // request into the same string reuses its memory. `head`: the request is HEAD (its response
  // has no body). `filter` (null keeps everything; kept by the caller until the report) says
  // what of the response to keep.
  void Send(std::string& request, bool head, int64_t timeout_ms,
            const http::ResponseFilter* filter = nullptr);

  // Closes the socket (between requests, or to abandon one without a report).
  void Close();

  bool busy() const { return busy_; }
  void OnIo(uint32_t events) override;

 private:
  void Connect();
  void WriteSome();
  void ReadSome();
  void Finish(results::FailureKind failure, std::string error);
  void Fail(results::FailureKind failure, std::string error);

  net::EventLoop& loop_;
  const net::Endpoint endpoint_;
  std::unique_ptr<Transport> transport_;
  char* read_buffer_;
  ConnectionListener& listener_;
  http::ResponseParser parser_;

  bool open_ = false;
  bool connecting_ = false;
  bool busy_ = false;
  bool in_send_ = false;
  bool reused_ = false;   // the request went out on a connection that had served before
  bool retried_ = false;  // a stale keep-alive connection was already replaced once
  bool head_ = false;
  const http::ResponseFilter* filter_ = nullptr;
  std::string request_;
  size_t written_ = 0;
  std::string pending_input_;  // response bytes received but not parsed yet
  uint64_t bytes_received_ = 0;
  int64_t timeout_ms_ = 0;
  net::TimerId timer_;
};

}  // namespace fourdollar::load
