#include "http/server_connection.h"

#include <errno.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "http/server.h"

namespace fourdollar::http {

namespace {
// While draining for shutdown, a half-received request gets at most this long.
constexpr int64_t kDrainGraceNs = 3'000'000'000;
// After a refusal, how long and how much input is read and thrown away before closing.
constexpr int64_t kLingerNs = 2'000'000'000;
constexpr size_t kLingerMaxBytes = 4 << 20;
// A buffer that grew beyond this (a pipelined flood, a client reading slowly, a large body) is
// freed once emptied rather than kept for the life of the connection.
constexpr size_t kKeptBufferBytes = 256 << 10;
// Input one connection may read in one turn of the loop (about 900 pipelined GETs); the rest
// waits for the next turn, after the other connections' events, so a client that pipelines
// without pause cannot hold the loop for long.
constexpr size_t kReadBytesPerTurn = 64 << 10;
// Every TLS connection starts with a handshake record.
constexpr unsigned char kTlsHandshakeRecord = 0x16;
}  // namespace

ServerConnection::ServerConnection(HttpServer& server, uint32_t id, UniqueFd fd)
    : server_(server), id_(id), fd_(std::move(fd)), parser_(server.limits_.header_limit_bytes) {}

ServerConnection::~ServerConnection() { server_.loop_.Cancel(timer_); }

Status ServerConnection::StartTls(std::shared_ptr<const net::TlsContext> context) {
  Result<std::unique_ptr<net::TlsStream>> stream =
      net::TlsStream::Accept(std::move(context), fd_.get());
  if (!stream) return tl::unexpected(stream.error());
  tls_ = std::move(*stream);
  handshaking_ = true;
  ++server_.handshakes_in_progress_;
  return {};
}

Status ServerConnection::Register() {
  // A plain socket on a loop with streams (io_uring) is read and written by the loop: a
  // request then costs no system call of its own. OpenSSL reads and writes TLS sockets itself.
  streamed_ = !tls_ && server_.loop_.HasStreams();
  Status s = streamed_ ? server_.loop_.AddStream(fd_.get(), this)
                       : server_.loop_.Add(fd_.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  if (s) {
    accepted_ns_ = server_.loop_.now_ns();
    const int64_t timeout_ms =
        handshaking_ ? server_.limits_.handshake_timeout_ms : server_.limits_.idle_timeout_ms;
    SetDeadline(accepted_ns_ + timeout_ms * 1'000'000);
    // A handshake in progress is work in flight: its client is waiting for an answer.
    if (!handshaking_) MarkIdle();
  }
  return s;
}

void ServerConnection::OnIo(uint32_t events) {
  if (state_ == ConnectionState::kClosed) return;
  if (events & EPOLLERR) {
    CloseNow();
    return;
  }
  if (state_ == ConnectionState::kLingering) {
    DiscardInput();
    return;
  }
  if (handshaking_) {
    ContinueHandshake();
    if (handshaking_ || state_ == ConnectionState::kClosed) return;
    events |= EPOLLIN;  // the request may have come with the handshake's last flight
  }
  // OpenSSL may need to read to write and to write to read: any event may unblock either.
  if (tls_) events |= EPOLLIN | EPOLLOUT;
  if (events & EPOLLOUT) write_blocked_ = false;
  if (events & (EPOLLRDHUP | EPOLLHUP)) hangup_reported_ = true;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) ReadAndProcess();
  if (state_ != ConnectionState::kClosed) Flush();
}

void ServerConnection::Finish(uint32_t seq, Response response) {
  if (state_ == ConnectionState::kClosed || pending_.empty() || seq < pending_.front().seq) {
    return;
  }
  size_t index = seq - pending_.front().seq;
  if (index >= pending_.size() || pending_[index].done) return;
  Pending& p = pending_[index];
  int64_t now_ns = MonotonicNowNs();
  server_.metrics_.CountRequest(p.slot, p.method, response.status,
                                static_cast<double>(now_ns - p.start_ns) / 1e9);
  p.keep_alive = p.keep_alive && !response.close && !server_.draining_;
  if (!server_.hsts_.empty() && tls_) {
    response.headers.push_back({"Strict-Transport-Security", server_.hsts_});
  }
  std::string_view date = server_.date_.Get(RealClock().NowUnixMs() / 1000);
  AppendResponse(response, p.head_only, p.keep_alive, p.version_minor, date,
                 index == 0 ? out_ : p.bytes);
  p.done = true;
  MoveFinishedToOutput();
  if (!processing_) Flush();
}

void ServerConnection::Drain() {
  if (Idle()) {
    CloseNow();
    return;
  }
  if (deadline_ns_ != kNoDeadline) {
    SetDeadline(std::min(deadline_ns_, server_.loop_.now_ns() + kDrainGraceNs));
  }
}

void ServerConnection::Evict() {
  server_.metrics_.evicted_connections.Add();
  CloseNow();
}

bool ServerConnection::HeldLargeBuffer() const {
  return tls_ != nullptr || held_large_buffer_ || out_.capacity() > kKeptBufferBytes ||
         in_.capacity() > kKeptBufferBytes;
}

void ServerConnection::ReleaseSocket() {
  server_.loop_.Remove(fd_.get());
  fd_.Reset();
}

bool ServerConnection::Idle() const {
  return !ReadingRequest() && pending_.empty() && out_offset_ == out_.size();
}

bool ServerConnection::ReadsRequests() const {
  return state_ == ConnectionState::kBetweenRequests || ReadingRequest();
}

void ServerConnection::StopReading() {
  if (ReadsRequests()) state_ = ConnectionState::kClosingAfterFlush;
}

void ServerConnection::MarkIdle() {
  idle_hook_.unlink();
  idle_since_ns_ = server_.loop_.now_ns();
  server_.idle_->list.push_back(*this);
}

void ServerConnection::ContinueHandshake() {
  if (!tls_record_seen_) {
    // Only the first byte is looked at: plain HTTP sent to the TLS port ("GET ...") is closed
    // and counted here rather than reported as a protocol error.
    unsigned char first = 0;
    ssize_t n = ::recv(fd_.get(), &first, 1, MSG_PEEK);
    if (n == 0) {
      FailHandshake(HandshakeFailure::kClosed);
      return;
    }
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        FailHandshake(HandshakeFailure::kClosed);
      }
      return;
    }
    if (first != kTlsHandshakeRecord) {
      FailHandshake(HandshakeFailure::kPlainHttp);
      return;
    }
    tls_record_seen_ = true;
  }
  net::IoResult r = tls_->Handshake();
  switch (r.kind) {
    case net::IoResult::Kind::kWouldBlock:
      return;
    case net::IoResult::Kind::kEof:
      FailHandshake(HandshakeFailure::kClosed);
      return;
    case net::IoResult::Kind::kError:
      FailHandshake(r.error != 0 ? HandshakeFailure::kClosed : HandshakeFailure::kProtocol);
      return;
    case net::IoResult::Kind::kDone:
      break;
  }
  server_.metrics_.tls.CountHandshake(
      tls_->resumed(), tls_->version(),
      static_cast<double>(server_.loop_.now_ns() - accepted_ns_) / 1e9);
  if (tls_->KernelSends()) server_.metrics_.tls.kernel_send_connections.Add();
  if (tls_->KernelReceives()) server_.metrics_.tls.kernel_receive_connections.Add();
  EndHandshake();
  SetDeadline(server_.loop_.now_ns() + server_.limits_.idle_timeout_ms * 1'000'000);
  MarkIdle();
}

void ServerConnection::EndHandshake() {
  if (!handshaking_) return;
  handshaking_ = false;
  --server_.handshakes_in_progress_;
}

void ServerConnection::FailHandshake(HandshakeFailure failure) {
  server_.metrics_.tls.CountFailure(failure);
  EndHandshake();
  CloseNow();
}

net::IoResult ServerConnection::Receive(char* buffer, size_t size) {
  if (tls_) return tls_->Read(buffer, size);
  return ReceiveRaw(buffer, size);
}

net::IoResult ServerConnection::ReceiveRaw(char* buffer, size_t size) {
  if (streamed_) return server_.loop_.StreamRead(fd_.get(), buffer, size);
  while (true) {
    ssize_t n = ::recv(fd_.get(), buffer, size, 0);
    if (n > 0) return {net::IoResult::Kind::kDone, static_cast<size_t>(n), 0};
    if (n == 0) return {net::IoResult::Kind::kEof, 0, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {net::IoResult::Kind::kWouldBlock, 0, 0};
    return {net::IoResult::Kind::kError, 0, errno};
  }
}

net::IoResult ServerConnection::SendSome(const char* data, size_t size) {
  if (tls_) return tls_->Write(data, size);
  if (streamed_) return server_.loop_.StreamWrite(fd_.get(), data, size);
  while (true) {
    ssize_t n = ::send(fd_.get(), data, size, MSG_NOSIGNAL);
    if (n >= 0) return {net::IoResult::Kind::kDone, static_cast<size_t>(n), 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {net::IoResult::Kind::kWouldBlock, 0, 0};
    return {net::IoResult::Kind::kError, 0, errno};
  }
}

void ServerConnection::ReadAndProcess() {
  char* buffer = server_.read_buffer_.data();
  size_t read_bytes = 0;
  while (ReadsRequests() && !reading_paused_) {
    if (read_bytes >= kReadBytesPerTurn) {
      ContinueNextTurn();
      return;
    }
    net::IoResult r = Receive(buffer, kReadChunkBytes);
    if (r.kind == net::IoResult::Kind::kDone) {
      read_bytes += r.bytes;
      std::string_view data(buffer, r.bytes);
      if (in_.empty()) {
        // The common case: parse straight from the shared buffer, keep only what is left.
        size_t used = Process(data);
        in_.assign(data.substr(used));
      } else {
        in_.append(data);
        ProcessBuffered();
      }
      // A short read emptied the socket: whatever arrives later is reported again by
      // edge-triggered epoll (each arrival queues a new event), so a recv that would only
      // say EAGAIN is saved. Not so for a half-close already reported (it is not reported
      // twice; the read that sees its end of input must come), nor for TLS (OpenSSL may
      // hold decrypted bytes the socket no longer has).
      if (r.bytes < kReadChunkBytes && !tls_ && !hangup_reported_) return;
    } else if (r.kind == net::IoResult::Kind::kEof) {
      // The client half-closed: answer what it sent (responses may still wait in out_, made
      // while these bytes were parsed), then close.
      peer_closed_ = true;
      if (pending_.empty() && out_offset_ == out_.size()) {
        CloseNow();
      } else {
        StopReading();
      }
      return;
    } else if (r.kind == net::IoResult::Kind::kWouldBlock) {
      // Part of a record came and no byte of a request yet: the request has begun all the
      // same, so a record sent a byte at a time meets the request timeout as plain bytes do,
      // not the idle one.
      if (tls_ && state_ == ConnectionState::kBetweenRequests && tls_->HasBufferedInput()) {
        StartRequest();
      }
      return;
    } else {
      CloseNow();  // reset by peer, or a broken TLS record: a dropped connection, not an error
      return;
    }
  }
}

// Edge-triggered epoll will not report the input left unread, so the connection asks to be
// called again once the loop has served the others.
void ServerConnection::ContinueNextTurn() {
  if (continue_posted_) return;
  continue_posted_ = true;
  HttpServer* server = &server_;
  server_.loop_.Post([server, id = id_] {
    auto it = server->connections_.find(id);
    if (it == server->connections_.end()) return;
    ServerConnection& connection = *it->second;
    connection.continue_posted_ = false;
    if (connection.state_ == ConnectionState::kClosed ||
        connection.state_ == ConnectionState::kLingering) {
      return;
    }
    connection.ReadAndProcess();
    if (connection.state_ != ConnectionState::kClosed) connection.Flush();
  });
}

void ServerConnection::ProcessBuffered() {
  size_t used = Process(in_);
  in_.erase(0, used);
  if (in_.empty() && in_.capacity() > kKeptBufferBytes) std::string().swap(in_);
}

void ServerConnection::StartRequest() {
  state_ = ConnectionState::kReadingHead;
  MarkBusy();
  request_start_ns_ = server_.loop_.now_ns();
  SetDeadline(request_start_ns_ + server_.limits_.request_timeout_ms * 1'000'000);
}

// Parses and dispatches the requests in `data`; returns the bytes consumed.
size_t ServerConnection::Process(std::string_view data) {
  processing_ = true;
  size_t offset = 0;
  while (ReadsRequests() && offset < data.size()) {
    // A request waits while an earlier one on this connection is still being handled (a post
    // being committed), so pipelined requests see each other's effects, in order.
    if (!pending_.empty() || out_.size() - out_offset_ >= server_.limits_.max_output_bytes) {
      reading_paused_ = true;
      break;
    }
    if (state_ == ConnectionState::kBetweenRequests) StartRequest();
    size_t consumed = 0;
    RequestParser::State state = parser_.Feed(data.substr(offset), &consumed);
    offset += consumed;
    if (state == RequestParser::State::kNeedMore) break;
    if (state == RequestParser::State::kError) {
      server_.metrics_.malformed_requests.Add();
      RefuseAndClose(TextResponse(parser_.ErrorStatus(), parser_.ErrorReason()));
      break;
    }
    if (state_ == ConnectionState::kReadingHead) {
      state_ = ConnectionState::kReadingBody;
      if (server_.catch_all_ != nullptr) {
        match_ = RouteMatch{.route = server_.catch_all_,
                            .route_index = server_.metrics_.unmatched_slot()};
      } else {
        match_ = server_.router_.Check(parser_.Head());
      }
      if (match_.refusal && state == RequestParser::State::kHeaderDone) {
        // The body was not read, so the connection cannot carry another request.
        RefuseAndClose(std::move(*match_.refusal));
        break;
      }
      if (match_.route) parser_.SetBodyLimit(match_.route->body_limit_bytes);
    }
    if (state == RequestParser::State::kComplete) Dispatch();
  }
  processing_ = false;
  return offset;
}

void ServerConnection::Dispatch() {
  Request request = parser_.TakeRequest();
  request.start_ns = request_start_ns_;
  parser_.Reset();
  state_ = ConnectionState::kBetweenRequests;
  Pending p;
  p.seq = next_seq_++;
  p.method = request.method;
  p.head_only = request.method == Method::kHead;
  p.keep_alive = request.keep_alive;
  p.version_minor = request.version_minor;
  p.start_ns = request.start_ns;
  p.slot = match_.route ? match_.route_index : server_.metrics_.unmatched_slot();
  pending_.push_back(std::move(p));
  if (!request.keep_alive) StopReading();  // later pipelined bytes are ignored
  SetDeadline(kNoDeadline);                // waiting on us, not on the client
  RouteMatch match = std::move(match_);
  match_ = RouteMatch{};
  if (match.refusal) {
    Finish(pending_.back().seq, std::move(*match.refusal));
    return;
  }
  HttpServer* server = &server_;
  uint64_t token = (static_cast<uint64_t>(id_) << 32) | pending_.back().seq;
  match.route->handler(request, match.param, [server, token](Response response) {
    server->Complete(token, std::move(response));
  });
}

void ServerConnection::RefuseAndClose(Response response) {
  const bool head_checked = state_ == ConnectionState::kReadingBody;
  Pending p;
  p.seq = next_seq_++;
  p.keep_alive = false;
  p.start_ns = request_start_ns_;
  p.slot = server_.metrics_.unmatched_slot();
  if (head_checked && match_.route) p.slot = match_.route_index;
  if (head_checked) p.method = parser_.Head().method;
  pending_.push_back(std::move(p));
  StopReading();
  response.close = true;
  Finish(pending_.back().seq, std::move(response));
}

void ServerConnection::MoveFinishedToOutput() {
  while (!pending_.empty() && pending_.front().done) {
    Pending& p = pending_.front();
    out_ += p.bytes;  // empty when it was serialized straight into out_ at the front
    if (!p.keep_alive) StopReading();
    pending_.pop_front();
  }
}

void ServerConnection::Flush() {
  while (out_offset_ < out_.size()) {
    // Blocked: the rest goes when the socket is writable again (EPOLLOUT), never dropped.
    if (write_blocked_) return;
    net::IoResult r = SendSome(out_.data() + out_offset_, out_.size() - out_offset_);
    if (r.kind == net::IoResult::Kind::kDone && r.bytes > 0) {
      out_offset_ += r.bytes;
    } else if (r.kind == net::IoResult::Kind::kWouldBlock) {
      write_blocked_ = true;
      // A client that stops reading gets as long as a request to take its response.
      if (deadline_ns_ == kNoDeadline) {
        SetDeadline(server_.loop_.now_ns() + server_.limits_.request_timeout_ms * 1'000'000);
      }
      return;
    } else {
      CloseNow();
      return;
    }
  }
  if (out_.capacity() > kKeptBufferBytes) {
    std::string().swap(out_);
    held_large_buffer_ = true;
    server_.ScheduleTrim();
  } else {
    out_.clear();
  }
  out_offset_ = 0;
  AfterFlush();
}

// Everything made so far is sent: close, linger, go idle, or read the input that waited.
void ServerConnection::AfterFlush() {
  if (state_ == ConnectionState::kClosingAfterFlush && pending_.empty()) {
    if (peer_closed_) {
      CloseNow();
    } else {
      StartLinger();
    }
    return;
  }
  if (server_.draining_ && Idle()) {
    CloseNow();
    return;
  }
  if (pending_.empty() && !ReadingRequest()) {
    SetDeadline(server_.loop_.now_ns() + server_.limits_.idle_timeout_ms * 1'000'000);
    MarkIdle();
  }
  if (reading_paused_ && pending_.empty()) {
    reading_paused_ = false;
    ProcessBuffered();
    if (state_ != ConnectionState::kClosed) ReadAndProcess();
    if (state_ != ConnectionState::kClosed && out_offset_ < out_.size()) Flush();
  }
}

// Closing a socket with unread input makes the kernel send a reset, which can destroy the
// response before the client reads it (a 413 sent while the body is still arriving). So the
// server half-closes, then reads and discards until the client closes too, bounded in time
// and bytes.
void ServerConnection::StartLinger() {
  state_ = ConnectionState::kLingering;
  MarkBusy();
  if (tls_) tls_->SendCloseNotify();
  ::shutdown(fd_.get(), SHUT_WR);
  deadline_ns_ = kNoDeadline;
  SetDeadline(server_.loop_.now_ns() + kLingerNs);
  DiscardInput();
}

void ServerConnection::DiscardInput() {
  char* buffer = server_.read_buffer_.data();
  while (state_ != ConnectionState::kClosed) {
    net::IoResult r = ReceiveRaw(buffer, kReadChunkBytes);
    if (r.kind == net::IoResult::Kind::kDone) {
      lingered_bytes_ += r.bytes;
      if (lingered_bytes_ > kLingerMaxBytes) CloseNow();
    } else {
      if (r.kind != net::IoResult::Kind::kWouldBlock) CloseNow();
      return;
    }
  }
}

// Deadlines are checked lazily: the timer is only moved when the deadline comes earlier.
void ServerConnection::SetDeadline(int64_t deadline_ns) {
  deadline_ns_ = deadline_ns;
  if (deadline_ns == kNoDeadline) return;
  if (timer_.valid() && timer_.when_ns <= deadline_ns) return;
  server_.loop_.Cancel(timer_);
  timer_ = server_.loop_.RunAt(deadline_ns, [this] { OnTimer(); });
}

void ServerConnection::OnTimer() {
  timer_ = net::TimerId{};
  if (state_ == ConnectionState::kClosed || deadline_ns_ == kNoDeadline) return;
  if (server_.loop_.now_ns() < deadline_ns_) {
    timer_ = server_.loop_.RunAt(deadline_ns_, [this] { OnTimer(); });
    return;
  }
  if (state_ == ConnectionState::kLingering) {
    CloseNow();
    return;
  }
  if (handshaking_) {
    FailHandshake(HandshakeFailure::kTimeout);
    return;
  }
  server_.metrics_.timed_out_connections.Add();
  if (ReadingRequest() && pending_.empty() && out_offset_ == out_.size()) {
    deadline_ns_ = kNoDeadline;
    RefuseAndClose(TextResponse(408, "the request took longer than the server's deadline"));
    if (state_ != ConnectionState::kClosed && write_blocked_) CloseNow();
    return;
  }
  CloseNow();
}

void ServerConnection::CloseNow() {
  if (state_ == ConnectionState::kClosed) return;
  state_ = ConnectionState::kClosed;
  EndHandshake();
  MarkBusy();
  server_.loop_.Cancel(timer_);
  timer_ = net::TimerId{};
  server_.Close(id_);
}

}  // namespace fourdollar::http
