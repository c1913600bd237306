// One client connection of an HttpServer: reads, parses, routes, hands requests to their
// handlers and writes the responses in order. Internal to the http module's server.
#pragma once

#include <boost/intrusive/list.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "http/request_parser.h"
#include "http/router.h"
#include "http/tls_metrics.h"
#include "net/event_loop.h"
#include "net/io_result.h"
#include "net/tls_stream.h"

namespace fourdollar::http {

class HttpServer;

using IdleHook =
    boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// Where a connection is in its life. Transitions:
//   kBetweenRequests -> kReadingHead (a request's first byte) -> kReadingBody (head routed)
//     -> kBetweenRequests (request complete and dispatched);
//   any reading state -> kClosingAfterFlush (a refusal, a request or response without
//     keep-alive, the client half-closing): no more requests are read; those in flight are
//     answered and written;
//   kClosingAfterFlush -> kLingering (all written, the client still sending: half-closed, input
//     discarded until it closes, bounded in time and bytes) or -> kClosed;
//   any state -> kClosed (error, reset, deadline, eviction, drain).
// Requests in flight (handled, or answered and waiting for those ahead of them) and unsent
// bytes are kept beside the state: pipelined requests wait until the ones ahead are answered.
enum class ConnectionState {
  kBetweenRequests,    // no request begun: idle, or answering the last one
  kReadingHead,        // a request's first byte arrived; its head is not complete
  kReadingBody,        // the head was routed and accepted; the body is arriving
  kClosingAfterFlush,  // no more requests are read: answer those in flight, then close
  kLingering,          // half-closed after the last response, discarding input
  kClosed,             // the server has let the connection go
};

// Lives in HttpServer::connections_; all calls on the loop thread.
class ServerConnection final : public net::IoHandler {
 public:
  ServerConnection(HttpServer& server, uint32_t id, UniqueFd fd);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Speaks TLS on this connection: the handshake comes first. Called before Register.
  Status StartTls(std::shared_ptr<const net::TlsContext> context);
  // Adds the socket to the loop and starts the idle (or handshake) deadline.
  Status Register();
  void OnIo(uint32_t events) override;
  // The response for request `seq` is ready.
  void Finish(uint32_t seq, Response response);
  // Called when the server starts draining.
  void Drain();
  // Closes a connection that has nothing in flight, to make room for a new one.
  void Evict();
  // When the connection last went idle (loop clock); meaningful while it is in the idle list.
  int64_t idle_since_ns() const { return idle_since_ns_; }
  // Whether a buffer grew beyond what is kept, or OpenSSL's were held (its records' buffers and
  // state, over 16 KB a connection): the allocator then has memory to give back.
  bool HeldLargeBuffer() const;
  // Takes the socket out of the loop and closes it.
  void ReleaseSocket();

  bool closed() const { return state_ == ConnectionState::kClosed; }

  // Links the connection into the server's idle list, least recently active first.
  IdleHook idle_hook_;

 private:
  static constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

  struct Pending {
    uint32_t seq = 0;
    size_t slot = 0;
    Method method = Method::kGet;
    bool head_only = false;
    bool keep_alive = true;
    int version_minor = 1;
    int64_t start_ns = 0;
    bool done = false;
    std::string bytes;  // the serialized response, when it finished before those ahead of it
  };

  bool ReadingRequest() const {
    return state_ == ConnectionState::kReadingHead || state_ == ConnectionState::kReadingBody;
  }
  // Between requests or reading one: not yet closing.
  bool ReadsRequests() const;
  // No request being read, none in flight, nothing unsent.
  bool Idle() const;
  // Reads no more requests; never undoes lingering or closing.
  void StopReading();
  void MarkIdle();
  void MarkBusy() { idle_hook_.unlink(); }
  // The first bytes of a request arrived: it must be whole within the request timeout.
  void StartRequest();

  // The TLS handshake, until it completes (then requests are read) or fails (then closed).
  void ContinueHandshake();
  void EndHandshake();
  void FailHandshake(HandshakeFailure failure);
  // One read or write on the socket, through TLS when it speaks it.
  net::IoResult Receive(char* buffer, size_t size);
  net::IoResult SendSome(const char* data, size_t size);
  // The socket's bytes as they come, not through TLS: for discarding input.
  net::IoResult ReceiveRaw(char* buffer, size_t size);

  void ReadAndProcess();
  void ContinueNextTurn();
  void ProcessBuffered();
  size_t Process(std::string_view data);
  void Dispatch();
  void RefuseAndClose(Response response);
  void MoveFinishedToOutput();
  void Flush();
  void AfterFlush();
  void StartLinger();
  void DiscardInput();
  void SetDeadline(int64_t deadline_ns);
  void OnTimer();
  void CloseNow();

  HttpServer& server_;
  const uint32_t id_;
  UniqueFd fd_;
  RequestParser parser_;
  RouteMatch match_;
  ConnectionState state_ = ConnectionState::kBetweenRequests;
  int64_t request_start_ns_ = 0;
  std::string in_;  // received bytes not parsed yet
  std::deque<Pending> pending_;
  uint32_t next_seq_ = 0;
  std::string out_;
  size_t out_offset_ = 0;
  size_t lingered_bytes_ = 0;
  int64_t deadline_ns_ = kNoDeadline;
  net::TimerId timer_;
  std::unique_ptr<net::TlsStream> tls_;  // null on plain HTTP
  int64_t accepted_ns_ = 0;
  int64_t idle_since_ns_ = 0;
  // Independent of the state:
  bool handshaking_ = false;      // TLS: no request is read before the handshake ends
  bool tls_record_seen_ = false;  // TLS: the first byte was a handshake record
  bool processing_ = false;       // inside Process: a response finished now is flushed after
  bool reading_paused_ = false;   // input waits for the requests ahead or for unsent output
  bool write_blocked_ = false;    // the socket took no more; the rest goes at EPOLLOUT
  bool peer_closed_ = false;      // the client half-closed its side
  bool hangup_reported_ = false;  // epoll reported EPOLLRDHUP or EPOLLHUP: read to the end
  bool streamed_ = false;         // the loop reads and writes the socket (a plain one on io_uring)
  bool held_large_buffer_ = false;  // a buffer grew beyond what is kept, and was freed
  bool continue_posted_ = false;    // a read was posted for the next turn of the loop
};

// Connections with no request started, none in flight and nothing unsent: freshly accepted (over
// TLS, once the handshake is over) or between keep-alive requests. Oldest first: when every
// connection slot is taken, the one idle longest makes room for a new client (a keep-alive
// client opens again, as after an idle timeout), so idle connections alone cannot lock everyone
// else out.
class IdleConnections {
 public:
  boost::intrusive::list<
      ServerConnection,
      boost::intrusive::member_hook<ServerConnection, IdleHook, &ServerConnection::idle_hook_>,
      boost::intrusive::constant_time_size<false>>
      list;
};

}  // namespace fourdollar::http
