#include "http/server.h"

#include <errno.h>
#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/intrusive/list.hpp>
#include <deque>
#include <limits>

#include "base/clock.h"
#include "http/request_parser.h"
#include "net/tcp.h"

namespace fourdollar::http {

namespace {
constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();
// While draining for shutdown, a half-received request gets at most this long.
constexpr int64_t kDrainGraceNs = 3'000'000'000;
// After a refusal, how long and how much input is read and thrown away before closing.
constexpr int64_t kLingerNs = 2'000'000'000;
constexpr size_t kLingerMaxBytes = 4 << 20;
// A buffer that grew beyond this (a pipelined flood, a client reading slowly, a large body) is
// freed once emptied rather than kept for the life of the connection.
constexpr size_t kKeptBufferBytes = 256 << 10;
// The allocator keeps the memory of freed small objects for reuse (a crowd of idle connections
// gone, a flood of short ones, the smaller steps of a buffer's growth); after this many
// connections closed, or one that held a large buffer, it is asked to hand it back to the
// system, at most once a second (a trim walks the heap: about a millisecond for tens of MiB).
// Keep-alive clients rarely close, so a steady load does not trim.
constexpr size_t kTrimAfterClosedConnections = 1024;
constexpr int64_t kTrimSpacingNs = 1'000'000'000;
// Input one connection may read in one turn of the loop (about 900 pipelined GETs); the rest
// waits for the next turn, after the other connections' events, so a client that pipelines
// without pause cannot hold the loop for long.
constexpr size_t kReadBytesPerTurn = 64 << 10;
// Connections accepted in one turn of the loop; a flood of new connections waits for the next
// turn, after the open connections' events.
constexpr int kAcceptsPerTurn = 64;

using IdleHook =
    boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;
}  // namespace

// One client connection. Lives in HttpServer::connections_; all calls on the loop thread.
class ServerConnection final : public net::IoHandler {
 public:
  ServerConnection(HttpServer& server, uint32_t id, UniqueFd fd)
      : server_(server), id_(id), fd_(std::move(fd)), parser_(server.limits_.header_limit_bytes) {}
  ~ServerConnection() { server_.loop_.Cancel(timer_); }

  Status Register() {
    Status s = server_.loop_.Add(fd_.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
    if (s) {
      SetDeadline(server_.loop_.now_ns() + server_.limits_.idle_timeout_ms * 1'000'000);
      MarkIdle();
    }
    return s;
  }

  void OnIo(uint32_t events) override {
    if (closed_) return;
    if (events & EPOLLERR) {
      CloseNow();
      return;
    }
    if (lingering_) {
      DiscardInput();
      return;
    }
    if (events & EPOLLOUT) write_blocked_ = false;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) ReadAndProcess();
    if (!closed_) Flush();
  }

  // The response for request `seq` is ready.
  void Finish(uint32_t seq, Response response) {
    if (closed_ || pending_.empty() || seq < pending_.front().seq) return;
    size_t index = seq - pending_.front().seq;
    if (index >= pending_.size() || pending_[index].done) return;
    Pending& p = pending_[index];
    int64_t now_ns = MonotonicNowNs();
    server_.metrics_.CountRequest(p.slot, p.method, response.status,
                                  static_cast<double>(now_ns - p.start_ns) / 1e9);
    p.keep_alive = p.keep_alive && !response.close && !server_.draining_;
    std::string_view date = server_.date_.Get(RealClock().NowUnixMs() / 1000);
    AppendResponse(response, p.head_only, p.keep_alive, p.version_minor, date,
                   index == 0 ? out_ : p.bytes);
    p.done = true;
    MoveFinishedToOutput();
    if (!processing_) Flush();
  }

  // Called when the server starts draining.
  void Drain() {
    if (Idle()) {
      CloseNow();
      return;
    }
    if (deadline_ns_ != kNoDeadline) {
      SetDeadline(std::min(deadline_ns_, server_.loop_.now_ns() + kDrainGraceNs));
    }
  }

  bool closed() const { return closed_; }

  // Closes a connection that has nothing in flight, to make room for a new one.
  void Evict() {
    server_.metrics_.evicted_connections.Add();
    CloseNow();
  }

  bool HeldLargeBuffer() const {
    return held_large_buffer_ || out_.capacity() > kKeptBufferBytes ||
           in_.capacity() > kKeptBufferBytes;
  }

  // Links the connection into the server's idle list, least recently active first.
  IdleHook idle_hook_;

 private:
  void MarkIdle();
  void MarkBusy() { idle_hook_.unlink(); }

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

  bool Idle() const { return !request_started_ && pending_.empty() && out_offset_ == out_.size(); }

  void ReadAndProcess() {
    char* buffer = server_.read_buffer_.data();
    size_t read_bytes = 0;
    while (!closed_ && !reading_paused_ && !close_after_flush_) {
      if (read_bytes >= kReadBytesPerTurn) {
        ContinueNextTurn();
        return;
      }
      ssize_t n = ::recv(fd_.get(), buffer, kReadChunkBytes, 0);
      if (n > 0) {
        read_bytes += static_cast<size_t>(n);
        std::string_view data(buffer, static_cast<size_t>(n));
        if (in_.empty()) {
          // The common case: parse straight from the shared buffer, keep only what is left.
          size_t used = Process(data);
          in_.assign(data.substr(used));
        } else {
          in_.append(data);
          ProcessBuffered();
        }
      } else if (n == 0) {
        // The client half-closed: answer what it sent (responses may still wait in out_, made
        // while these bytes were parsed), then close.
        peer_closed_ = true;
        if (pending_.empty() && out_offset_ == out_.size()) {
          CloseNow();
        } else {
          close_after_flush_ = true;
        }
        return;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;
      } else if (errno != EINTR) {
        CloseNow();  // reset by peer: a dropped connection is not an error
        return;
      }
    }
  }

  // Edge-triggered epoll will not report the input left unread, so the connection asks to be
  // called again once the loop has served the others.
  void ContinueNextTurn() {
    if (continue_posted_) return;
    continue_posted_ = true;
    HttpServer* server = &server_;
    server_.loop_.Post([server, id = id_] {
      auto it = server->connections_.find(id);
      if (it == server->connections_.end()) return;
      ServerConnection& connection = *it->second;
      connection.continue_posted_ = false;
      if (connection.closed_ || connection.lingering_) return;
      connection.ReadAndProcess();
      if (!connection.closed_) connection.Flush();
    });
  }

  void ProcessBuffered() {
    size_t used = Process(in_);
    in_.erase(0, used);
    if (in_.empty() && in_.capacity() > kKeptBufferBytes) std::string().swap(in_);
  }

  // Parses and dispatches the requests in `data`; returns the bytes consumed.
  size_t Process(std::string_view data) {
    processing_ = true;
    size_t offset = 0;
    while (!closed_ && !close_after_flush_ && offset < data.size()) {
      // A request waits while an earlier one on this connection is still being handled (a post
      // being committed), so pipelined requests see each other's effects, in order.
      if (!pending_.empty() || out_.size() - out_offset_ >= server_.limits_.max_output_bytes) {
        reading_paused_ = true;
        break;
      }
      if (!request_started_) {
        request_started_ = true;
        MarkBusy();
        request_start_ns_ = server_.loop_.now_ns();
        SetDeadline(request_start_ns_ + server_.limits_.request_timeout_ms * 1'000'000);
      }
      size_t consumed = 0;
      RequestParser::State state = parser_.Feed(data.substr(offset), &consumed);
      offset += consumed;
      if (state == RequestParser::State::kNeedMore) break;
      if (state == RequestParser::State::kError) {
        server_.metrics_.malformed_requests.Add();
        RefuseAndClose(TextResponse(parser_.ErrorStatus(), parser_.ErrorReason()));
        break;
      }
      if (!head_checked_) {
        head_checked_ = true;
        match_ = server_.router_.Check(parser_.Head());
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

  void Dispatch() {
    Request request = parser_.TakeRequest();
    request.start_ns = request_start_ns_;
    parser_.Reset();
    head_checked_ = false;
    request_started_ = false;
    Pending p;
    p.seq = next_seq_++;
    p.method = request.method;
    p.head_only = request.method == Method::kHead;
    p.keep_alive = request.keep_alive;
    p.version_minor = request.version_minor;
    p.start_ns = request.start_ns;
    p.slot = match_.route ? match_.route_index : server_.metrics_.unmatched_slot();
    pending_.push_back(std::move(p));
    if (!request.keep_alive) close_after_flush_ = true;  // later pipelined bytes are ignored
    SetDeadline(kNoDeadline);                            // waiting on us, not on the client
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

  void RefuseAndClose(Response response) {
    Pending p;
    p.seq = next_seq_++;
    p.keep_alive = false;
    p.start_ns = request_start_ns_;
    p.slot = server_.metrics_.unmatched_slot();
    if (head_checked_ && match_.route) p.slot = match_.route_index;
    if (head_checked_) p.method = parser_.Head().method;
    pending_.push_back(std::move(p));
    request_started_ = false;
    close_after_flush_ = true;
    response.close = true;
    Finish(pending_.back().seq, std::move(response));
  }

  void MoveFinishedToOutput() {
    while (!pending_.empty() && pending_.front().done) {
      Pending& p = pending_.front();
      out_ += p.bytes;  // empty when it was serialized straight into out_ at the front
      if (!p.keep_alive) close_after_flush_ = true;
      pending_.pop_front();
    }
  }

  void Flush() {
    while (out_offset_ < out_.size()) {
      // Blocked: the rest goes when the socket is writable again (EPOLLOUT), never dropped.
      if (write_blocked_) return;
      ssize_t n =
          ::send(fd_.get(), out_.data() + out_offset_, out_.size() - out_offset_, MSG_NOSIGNAL);
      if (n > 0) {
        out_offset_ += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        write_blocked_ = true;
        // A client that stops reading gets as long as a request to take its response.
        if (deadline_ns_ == kNoDeadline) {
          SetDeadline(server_.loop_.now_ns() + server_.limits_.request_timeout_ms * 1'000'000);
        }
        return;
      } else if (n < 0 && errno == EINTR) {
        continue;
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
    if (close_after_flush_ && pending_.empty()) {
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
    if (pending_.empty() && !request_started_) {
      SetDeadline(server_.loop_.now_ns() + server_.limits_.idle_timeout_ms * 1'000'000);
      MarkIdle();
    }
    if (reading_paused_ && pending_.empty()) {
      reading_paused_ = false;
      ProcessBuffered();
      if (!closed_) ReadAndProcess();
      if (!closed_ && out_offset_ < out_.size()) Flush();
    }
  }

  // Closing a socket with unread input makes the kernel send a reset, which can destroy the
  // response before the client reads it (a 413 sent while the body is still arriving). So the
  // server half-closes, then reads and discards until the client closes too, bounded in time
  // and bytes.
  void StartLinger() {
    lingering_ = true;
    MarkBusy();
    ::shutdown(fd_.get(), SHUT_WR);
    deadline_ns_ = kNoDeadline;
    SetDeadline(server_.loop_.now_ns() + kLingerNs);
    DiscardInput();
  }

  void DiscardInput() {
    char* buffer = server_.read_buffer_.data();
    while (!closed_) {
      ssize_t n = ::recv(fd_.get(), buffer, kReadChunkBytes, 0);
      if (n > 0) {
        lingered_bytes_ += static_cast<size_t>(n);
        if (lingered_bytes_ > kLingerMaxBytes) CloseNow();
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) CloseNow();
        return;
      }
    }
  }

  // Deadlines are checked lazily: the timer is only moved when the deadline comes earlier.
  void SetDeadline(int64_t deadline_ns) {
    deadline_ns_ = deadline_ns;
    if (deadline_ns == kNoDeadline) return;
    if (timer_.valid() && timer_.when_ns <= deadline_ns) return;
    server_.loop_.Cancel(timer_);
    timer_ = server_.loop_.RunAt(deadline_ns, [this] { OnTimer(); });
  }

  void OnTimer() {
    timer_ = net::TimerId{};
    if (closed_ || deadline_ns_ == kNoDeadline) return;
    if (server_.loop_.now_ns() < deadline_ns_) {
      timer_ = server_.loop_.RunAt(deadline_ns_, [this] { OnTimer(); });
      return;
    }
    if (lingering_) {
      CloseNow();
      return;
    }
    server_.metrics_.timed_out_connections.Add();
    if (request_started_ && pending_.empty() && out_offset_ == out_.size()) {
      deadline_ns_ = kNoDeadline;
      RefuseAndClose(TextResponse(408, "the request took longer than the server's deadline"));
      if (!closed_ && write_blocked_) CloseNow();
      return;
    }
    CloseNow();
  }

  void CloseNow() {
    if (closed_) return;
    closed_ = true;
    MarkBusy();
    server_.loop_.Cancel(timer_);
    timer_ = net::TimerId{};
    server_.Close(id_);
  }

 public:
  int fd() const { return fd_.get(); }
  void ReleaseSocket() {
    server_.loop_.Remove(fd_.get());
    fd_.Reset();
  }

 private:
  HttpServer& server_;
  const uint32_t id_;
  UniqueFd fd_;
  RequestParser parser_;
  RouteMatch match_;
  bool head_checked_ = false;
  bool request_started_ = false;
  int64_t request_start_ns_ = 0;
  std::string in_;  // received bytes not parsed yet
  std::deque<Pending> pending_;
  uint32_t next_seq_ = 0;
  std::string out_;
  size_t out_offset_ = 0;
  bool processing_ = false;
  bool reading_paused_ = false;
  bool write_blocked_ = false;
  bool close_after_flush_ = false;
  bool peer_closed_ = false;
  bool closed_ = false;
  bool lingering_ = false;
  bool held_large_buffer_ = false;
  bool continue_posted_ = false;
  size_t lingered_bytes_ = 0;
  int64_t deadline_ns_ = kNoDeadline;
  net::TimerId timer_;
};

// Connections with no request started, none in flight and nothing unsent: freshly accepted or
// between keep-alive requests. Oldest first: when every connection slot is taken, the one idle
// longest makes room for a new client (a keep-alive client opens again, as after an idle
// timeout), so idle connections alone cannot lock everyone else out.
class IdleConnections {
 public:
  boost::intrusive::list<
      ServerConnection,
      boost::intrusive::member_hook<ServerConnection, IdleHook, &ServerConnection::idle_hook_>,
      boost::intrusive::constant_time_size<false>>
      list;
};

void ServerConnection::MarkIdle() {
  idle_hook_.unlink();
  server_.idle_->list.push_back(*this);
}

HttpServer::HttpServer(net::EventLoop& loop, UniqueFd listener, const Router& router,
                       ServerLimits limits, ServerMetrics& metrics)
    : loop_(loop),
      listener_(std::move(listener)),
      router_(router),
      limits_(limits),
      metrics_(metrics),
      idle_(std::make_unique<IdleConnections>()) {}

HttpServer::~HttpServer() {
  loop_.Cancel(trim_timer_);
  for (auto& [id, connection] : connections_) connection->ReleaseSocket();
  if (listener_.valid()) loop_.Remove(listener_.get());
  closed_.clear();
  connections_.clear();
}

Status HttpServer::Start() { return loop_.Add(listener_.get(), EPOLLIN, this); }

void HttpServer::OnIo(uint32_t) { Accept(); }

void HttpServer::Accept() {
  for (int accepted = 0; listener_.valid(); ++accepted) {
    if (accepted == kAcceptsPerTurn) {
      // Edge-triggered: the rest of the backlog is not reported again, so come back for it.
      if (!accept_posted_) {
        accept_posted_ = true;
        loop_.Post([this] {
          accept_posted_ = false;
          Accept();
        });
      }
      return;
    }
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // EAGAIN: accepted everything. EMFILE and the like: the next arrival retries.
      return;
    }
    UniqueFd socket(fd);
    if (!draining_ && connections_.size() >= limits_.max_connections && !idle_->list.empty()) {
      idle_->list.front().Evict();
    }
    if (draining_ || connections_.size() >= limits_.max_connections) {
      metrics_.refused_connections.Add();
      continue;  // closed by UniqueFd
    }
    net::SetNoDelay(fd);
    uint32_t id = next_id_++;
    auto connection = std::make_unique<ServerConnection>(*this, id, std::move(socket));
    ServerConnection* raw = connection.get();
    connections_.emplace(id, std::move(connection));
    if (!raw->Register()) {
      connections_.erase(id);
      continue;
    }
    metrics_.accepted_connections.Add();
    metrics_.open_connections.Set(connections_.size());
    // Data may have arrived with the connection; edge-triggered epoll will not repeat it.
    raw->OnIo(EPOLLIN);
  }
}

void HttpServer::Close(uint32_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second->ReleaseSocket();
  if (closed_.empty()) {
    loop_.Post([this] { closed_.clear(); });
  }
  closed_.push_back(std::move(it->second));
  connections_.erase(it);
  metrics_.open_connections.Set(connections_.size());
  if (++closed_since_trim_ >= kTrimAfterClosedConnections || closed_.back()->HeldLargeBuffer()) {
    ScheduleTrim();
  }
  if (draining_ && connections_.empty() && drained_) {
    auto drained = std::move(drained_);
    drained_ = nullptr;
    drained();
  }
}

void HttpServer::ScheduleTrim() {
  closed_since_trim_ = 0;
  if (trim_timer_.valid()) return;
  // Runs outside any batch of events, so the closed connections can be freed first.
  trim_timer_ = loop_.RunAt(std::max(loop_.now_ns(), last_trim_ns_ + kTrimSpacingNs), [this] {
    trim_timer_ = net::TimerId{};
    closed_.clear();
    malloc_trim(0);
    last_trim_ns_ = loop_.now_ns();
  });
}

void HttpServer::Complete(uint64_t token, Response response) {
  auto it = connections_.find(static_cast<uint32_t>(token >> 32));
  if (it == connections_.end()) return;  // the client left; nothing to send
  it->second->Finish(static_cast<uint32_t>(token), std::move(response));
}

void HttpServer::Drain(std::function<void()> drained) {
  draining_ = true;
  drained_ = std::move(drained);
  if (listener_.valid()) {
    loop_.Remove(listener_.get());
    listener_.Reset();
  }
  std::vector<ServerConnection*> open;
  for (auto& [id, connection] : connections_) open.push_back(connection.get());
  for (ServerConnection* connection : open) connection->Drain();
  if (connections_.empty() && drained_) {
    auto done = std::move(drained_);
    drained_ = nullptr;
    done();
  }
}

}  // namespace fourdollar::http
