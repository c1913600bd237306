#include "http/server.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/server_connection.h"
#include "net/tcp.h"

namespace fourdollar::http {

namespace {
// The allocator keeps the memory of freed small objects for reuse (a crowd of idle connections
// gone, a flood of short ones, the smaller steps of a buffer's growth); after this many
// connections closed, or one that held a large buffer, it is asked to hand it back to the
// system, at most once a second (a trim walks the heap: about a millisecond for tens of MiB).
// Keep-alive clients rarely close, so a steady load does not trim.
constexpr size_t kTrimAfterClosedConnections = 1024;
constexpr int64_t kTrimSpacingNs = 1'000'000'000;
// Connections accepted in one turn of the loop; a flood of new connections waits for the next
// turn, after the open connections' events.
constexpr int kAcceptsPerTurn = 64;
// At --max-connections, an idle connection makes room for a new client once it has been idle
// this long. A keep-alive client that has just had its answer may be sending its next request
// now: closing its connection then would cost it that request (or a retry, at best). Until then
// new clients wait in the listen backlog, which beats a reset.
constexpr int64_t kEvictAfterIdleNs = 1'000'000'000;

// Whether a connection waits in the listen backlog, without taking it.
bool ConnectionWaiting(int listener) {
  pollfd p{listener, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}
}  // namespace

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
  loop_.Cancel(resume_timer_);
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
      PostAccept();
      return;
    }
    if (connections_.size() >= limits_.max_connections) {
      // An idle connection is closed only for a client that is there.
      if (!ConnectionWaiting(listener_.get())) return;
      if (!EvictIdle()) {
        PauseAccepting();
        return;
      }
    }
    accept_paused_ = false;  // there is room
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // EAGAIN: accepted everything. EMFILE and the like: the next arrival retries.
      return;
    }
    UniqueFd socket(fd);
    if (tls_ && handshakes_in_progress_ >= limits_.max_handshakes) {
      metrics_.tls.CountFailure(HandshakeFailure::kBusy);
      continue;  // closed by UniqueFd
    }
    net::SetNoDelay(fd);
    uint32_t id = next_id_++;
    auto connection = std::make_unique<ServerConnection>(*this, id, std::move(socket));
    ServerConnection* raw = connection.get();
    if (tls_ && !raw->StartTls(tls_)) continue;
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

void HttpServer::PostAccept() {
  if (accept_posted_) return;
  accept_posted_ = true;
  loop_.Post([this] {
    accept_posted_ = false;
    Accept();
  });
}

bool HttpServer::EvictIdle() {
  if (idle_->list.empty()) return false;
  ServerConnection& oldest = idle_->list.front();
  if (loop_.now_ns() - oldest.idle_since_ns() < kEvictAfterIdleNs) return false;
  oldest.Evict();
  return true;
}

void HttpServer::PauseAccepting() {
  if (resume_timer_.valid()) return;  // already waiting, with a time to look again
  if (!accept_paused_) metrics_.accept_pauses.Add();
  accept_paused_ = true;
  // The backlog is looked at again when a connection closes, or when the connection idle
  // longest may go (with none idle, a second from now: one may have gone idle since).
  int64_t idle_since = idle_->list.empty() ? loop_.now_ns() : idle_->list.front().idle_since_ns();
  resume_timer_ = loop_.RunAt(idle_since + kEvictAfterIdleNs, [this] {
    resume_timer_ = net::TimerId{};
    Accept();
  });
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
  if (accept_paused_) {
    // A slot is free: the client that waits longest in the backlog takes it.
    loop_.Cancel(resume_timer_);
    resume_timer_ = net::TimerId{};
    PostAccept();
  }
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
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // glibc's heap only: under a sanitizer its own allocator holds the memory, and glibc's
    // malloc_trim walks arenas it never set up (it crashed, or failed an assertion at a
    // thread's exit, in the ASan build).
    malloc_trim(0);
#endif
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
  loop_.Cancel(resume_timer_);
  resume_timer_ = net::TimerId{};
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
