// One keep-alive HTTP/1.1 client connection on an event loop, one request at a time. Opens (and
// re-opens after errors) by itself; each request has a timeout.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
  // Monotonic times: Send was called; the connection was begun (0 on a reused connection);
  // it was connected; its TLS handshake ended; the request was written; the first byte of the
  // response came; the exchange ended. A mark not reached is 0.
  int64_t send_ns = 0;
  int64_t connect_start_ns = 0;
  int64_t connected_ns = 0;
  int64_t tls_done_ns = 0;
  int64_t written_ns = 0;
  int64_t first_byte_ns = 0;
  int64_t done_ns = 0;
  bool tls_handshake = false;  // a TLS handshake ended for this exchange
  bool tls_resumed = false;
  std::string_view tls_version;  // of the connection, as k6 names it ("tls1.3"); "" over HTTP
};

// k6's phases of an exchange measured from `from_ns` (the send, or when the open model meant
// the request to start): they add up to done_ns - from_ns.
results::RequestPhases PhasesOf(const Exchange& exchange, int64_t from_ns);

class ConnectionListener {
 public:
  // Called once per Send, on the loop thread, never from inside Send.
  virtual void OnExchange(Exchange exchange) = 0;

 protected:
  ~ConnectionListener() = default;
};

// Local addresses that a thread's new connections bind to in turn. Not thread-safe: one per
// load thread.
struct SourceAddresses {
  std::vector<net::Endpoint> addresses;
  size_t next = 0;
  const net::Endpoint* Next() {
    if (addresses.empty()) return nullptr;
    const net::Endpoint* source = &addresses[next];
    next = next + 1 == addresses.size() ? 0 : next + 1;
    return source;
  }
};

// Not thread-safe: used on its loop's thread only.
class ClientConnection final : public net::IoHandler {
 public:
  // `endpoint` and `read_buffer` (kReadBufferBytes, shared by the thread's connections) must
  // outlive this.
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

  // Opens the connection (connects, and over TLS shakes hands) with no request yet, so that the
  // first Send finds it open. Nothing is reported: a connection that fails is closed, and the
  // next Send connects anew. No-op on an open connection.
  void Open();
  // Closes the socket (between requests, or to abandon one without a report).
  void Close();
  // Where new connections bind (null: the kernel's choice). Kept by the caller.
  void SetSources(SourceAddresses* sources) { sources_ = sources; }
  // With `resume`, a new TLS connection resumes the session of the one before.
  void SetResume(bool resume) { transport_->SetResume(resume); }

  bool busy() const { return busy_; }
  void OnIo(uint32_t events) override;

 private:
  // The request's timeout: fails it at `deadline_ns` unless it ended before.
  void ArmDeadline(int64_t deadline_ns);
  void OnDeadline();
  // Runs `report` from the loop soon, never from inside Send (so a failure cannot recurse).
  void Report(std::function<void()> report);
  void Connect();
  // The socket, connecting, watched by the loop; an error leaves the connection closed.
  Status OpenSocket();
  void ContinueHandshake();
  void WriteSome();
  void ReadSome();
  // Plain TCP on a loop with streams (io_uring): from the connect on, the loop reads and writes
  // the socket, so a request and its response cost no system call of their own.
  void UseStream();
  // One read or write of the connection's bytes: the loop's stream, or the transport.
  IoResult ReadBytes();
  IoResult WriteBytes(const char* data, size_t size);
  void Finish(results::FailureKind failure, std::string error);
  void Fail(results::FailureKind failure, std::string error);

  net::EventLoop& loop_;
  const net::Endpoint& endpoint_;
  std::unique_ptr<Transport> transport_;
  char* read_buffer_;
  ConnectionListener& listener_;
  http::ResponseParser parser_;

  SourceAddresses* sources_ = nullptr;
  bool open_ = false;
  bool connecting_ = false;
  bool streamed_ = false;  // the loop reads and writes the socket (UseStream)
  bool handshaking_ = false;
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
  int64_t deadline_ns_ = 0;    // the request in progress fails at this time
  net::TimerId timer_;         // at or before deadline_ns_; may outlive the request
  net::TimerId report_timer_;  // a report deferred out of Send
  Exchange marks_;             // the times and handshake of the exchange in progress
};

}  // namespace fourdollar::load
