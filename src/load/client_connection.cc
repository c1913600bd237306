#include "load/client_connection.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cstring>

#include "base/clock.h"

namespace fourdollar::load {

const http::ClientResponse Exchange::kNoResponse;

namespace {

std::string ErrorText(const char* op, const IoResult& r) {
  return std::string(op) + ": " + (r.error != 0 ? std::strerror(r.error) : "TLS record error");
}

results::FailureKind TlsFailureKind(net::TlsFailure failure) {
  return failure == net::TlsFailure::kVerification ? results::FailureKind::kTlsVerification
                                                   : results::FailureKind::kTlsProtocol;
}

}  // namespace

results::RequestPhases PhasesOf(const Exchange& e, int64_t from_ns) {
  // Each mark not reached takes the one before it, so the phases still add up.
  const int64_t begun = e.connect_start_ns != 0 ? e.connect_start_ns : e.send_ns;
  const int64_t connected = e.connect_start_ns == 0 ? begun : std::max(begun, e.connected_ns);
  const int64_t tls_done = e.tls_done_ns != 0 ? std::max(connected, e.tls_done_ns) : connected;
  const int64_t ready = std::max({e.send_ns, tls_done});
  const int64_t written = std::max(ready, e.written_ns);
  const int64_t first_byte = std::max(written, e.first_byte_ns);
  const int64_t done = std::max(first_byte, e.done_ns);
  results::RequestPhases phases;
  phases.blocked_us = std::max<int64_t>(0, begun - from_ns) / 1000;
  phases.connecting_us = (connected - begun) / 1000;
  phases.tls_handshaking_us = (tls_done - connected) / 1000;
  phases.sending_us = (written - tls_done) / 1000;
  phases.waiting_us = (first_byte - written) / 1000;
  phases.receiving_us = (done - first_byte) / 1000;
  if (e.written_ns == 0) {
    // The request never went out (a failed connect or handshake): its time was all getting
    // there.
    phases.sending_us = phases.waiting_us = phases.receiving_us = 0;
  }
  return phases;
}

ClientConnection::ClientConnection(net::EventLoop& loop, const net::Endpoint& endpoint,
                                   std::unique_ptr<Transport> transport, char* read_buffer,
                                   ConnectionListener& listener)
    : loop_(loop),
      endpoint_(endpoint),
      transport_(std::move(transport)),
      read_buffer_(read_buffer),
      listener_(listener) {}

ClientConnection::~ClientConnection() {
  loop_.Cancel(timer_);
  loop_.Cancel(report_timer_);
  Close();
}

void ClientConnection::ArmDeadline(int64_t deadline_ns) {
  deadline_ns_ = deadline_ns;
  // A timer that fires at or before the deadline is kept: it re-arms itself for the deadline
  // then. So a keep-alive connection whose requests end well within their timeout touches the
  // loop's timers about once per timeout, not twice per request.
  if (timer_.valid() && timer_.when_ns <= deadline_ns) return;
  loop_.Cancel(timer_);
  timer_ = loop_.RunAt(deadline_ns, [this] { OnDeadline(); });
}

void ClientConnection::OnDeadline() {
  timer_ = net::TimerId{};
  if (!busy_) return;
  if (loop_.now_ns() < deadline_ns_) {
    timer_ = loop_.RunAt(deadline_ns_, [this] { OnDeadline(); });
    return;
  }
  if (handshaking_) {
    Fail(results::FailureKind::kTlsHandshakeTimeout,
         "TLS handshake not finished within " + std::to_string(timeout_ms_) + " ms");
    return;
  }
  Fail(results::FailureKind::kTimeout,
       "no complete response within " + std::to_string(timeout_ms_) + " ms");
}

void ClientConnection::Close() {
  if (open_) {
    loop_.Remove(transport_->fd());
    transport_->Close();
  }
  open_ = false;
  streamed_ = false;
  connecting_ = false;
  handshaking_ = false;
  pending_input_.clear();
}

void ClientConnection::Send(std::string& request, bool head, int64_t timeout_ms,
                            const http::ResponseFilter* filter) {
  in_send_ = true;
  busy_ = true;
  head_ = head;
  filter_ = filter;
  request_.swap(request);
  written_ = 0;
  bytes_received_ = 0;
  retried_ = false;
  timeout_ms_ = timeout_ms;
  parser_.Reset(head, filter);
  pending_input_.clear();
  marks_ = Exchange{};
  marks_.send_ns = MonotonicNowNs();
  // From the send's own instant, which the request's duration counts from, not from the loop
  // turn's start: a deadline earlier than that would time a request out before its timeout.
  ArmDeadline(marks_.send_ns + timeout_ms * 1'000'000);
  if (!open_) {
    reused_ = false;
    Connect();
    in_send_ = false;
    return;
  }
  if (connecting_ || handshaking_) {
    // Opened ahead (Open) and not ready yet: the end of its connect or handshake writes the
    // request.
    reused_ = false;
    in_send_ = false;
    return;
  }
  reused_ = true;
  WriteSome();
  in_send_ = false;
}

void ClientConnection::Report(std::function<void()> report) {
  loop_.Cancel(report_timer_);
  report_timer_ = loop_.RunAt(loop_.now_ns(), [this, report = std::move(report)] {
    report_timer_ = net::TimerId{};
    report();
  });
}

void ClientConnection::Connect() {
  marks_.connect_start_ns = MonotonicNowNs();
  marks_.connected_ns = marks_.tls_done_ns = marks_.written_ns = marks_.first_byte_ns = 0;
  marks_.tls_handshake = marks_.tls_resumed = false;
  if (Status s = OpenSocket(); !s) {
    // Reported from the loop, never from inside Send, so a refused port cannot recurse.
    std::string error = s.error().message;
    Report([this, error] { Fail(results::FailureKind::kConnect, error); });
  }
}

void ClientConnection::Open() {
  if (open_ || busy_) return;
  (void)OpenSocket();
}

Status ClientConnection::OpenSocket() {
  const net::Endpoint* source = sources_ != nullptr ? sources_->Next() : nullptr;
  if (Status s = transport_->Open(endpoint_, source); !s) return s;
  open_ = true;
  connecting_ = true;
  if (Status s = loop_.Add(transport_->fd(), EPOLLIN | EPOLLOUT | EPOLLRDHUP, this); !s) {
    transport_->Close();
    open_ = false;
    connecting_ = false;
    return s;
  }
  return {};
}

void ClientConnection::OnIo(uint32_t events) {
  if (!open_) return;
  if (connecting_) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int error = transport_->FinishConnect();
    if (error != 0) {
      Fail(results::FailureKind::kConnect, std::string("connect: ") + std::strerror(error));
      return;
    }
    connecting_ = false;
    marks_.connected_ns = MonotonicNowNs();
    if (!transport_->secure() && loop_.HasStreams()) {
      UseStream();
      if (!open_) return;
    }
    if (transport_->secure()) {
      handshaking_ = true;
      ContinueHandshake();
      return;
    }
    if (busy_) WriteSome();
    return;
  }
  if (handshaking_) {
    ContinueHandshake();
    return;
  }
  if (!busy_) {
    // Input on an idle connection: the server closed it (forget it; the next Send reconnects)
    // or, with TLS, a record such as a session ticket that needs no answer.
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      IoResult r = ReadBytes();
      if (r.kind != IoResult::Kind::kWouldBlock) Close();
    }
    return;
  }
  // OpenSSL may need to read to write and to write to read: any event may unblock either.
  if (transport_->secure()) events |= EPOLLIN | EPOLLOUT;
  if (events & EPOLLOUT) WriteSome();
  if (busy_ && open_ && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) ReadSome();
}

void ClientConnection::UseStream() {
  const int fd = transport_->fd();
  loop_.Remove(fd);
  Status added = loop_.AddStream(fd, this);
  streamed_ = static_cast<bool>(added);
  if (!streamed_) Fail(results::FailureKind::kConnect, added.error().message);
}

IoResult ClientConnection::ReadBytes() {
  if (streamed_) return loop_.StreamRead(transport_->fd(), read_buffer_, kReadBufferBytes);
  return transport_->Read(read_buffer_, kReadBufferBytes);
}

IoResult ClientConnection::WriteBytes(const char* data, size_t size) {
  if (streamed_) return loop_.StreamWrite(transport_->fd(), data, size);
  return transport_->Write(data, size);
}

void ClientConnection::ContinueHandshake() {
  IoResult r = transport_->Handshake();
  if (r.kind == IoResult::Kind::kWouldBlock) return;
  if (r.kind != IoResult::Kind::kDone) {
    Fail(TlsFailureKind(transport_->tls_failure()), transport_->tls_error());
    return;
  }
  handshaking_ = false;
  marks_.tls_done_ns = MonotonicNowNs();
  marks_.tls_handshake = true;
  marks_.tls_resumed = transport_->resumed();
  if (busy_) WriteSome();
}

void ClientConnection::WriteSome() {
  while (written_ < request_.size()) {
    IoResult r = WriteBytes(request_.data() + written_, request_.size() - written_);
    if (r.kind == IoResult::Kind::kDone) {
      written_ += r.bytes;
    } else if (r.kind == IoResult::Kind::kWouldBlock) {
      return;
    } else {
      Fail(results::FailureKind::kReset, ErrorText("send", r));
      return;
    }
  }
  if (marks_.written_ns == 0) marks_.written_ns = MonotonicNowNs();
  // The response cannot be there yet: the edge-triggered EPOLLIN of its arrival reads it, which
  // saves a recv that would only say EAGAIN.
}

void ClientConnection::ReadSome() {
  while (busy_) {
    IoResult r = ReadBytes();
    if (r.kind == IoResult::Kind::kWouldBlock) return;
    if (r.kind == IoResult::Kind::kError) {
      Fail(results::FailureKind::kReset, ErrorText("recv", r));
      return;
    }
    if (marks_.first_byte_ns == 0 && r.kind == IoResult::Kind::kDone) {
      marks_.first_byte_ns = MonotonicNowNs();
    }
    if (r.kind == IoResult::Kind::kEof) {
      if (parser_.started()) {
        if (parser_.FeedEof() == http::ResponseParser::State::kComplete) {
          Finish(results::FailureKind::kNone, {});
        } else {
          Fail(results::FailureKind::kReset, "connection closed in the middle of the response");
        }
        return;
      }
      Fail(results::FailureKind::kReset, "connection closed before the response");
      return;
    }
    bytes_received_ += r.bytes;
    std::string_view data(read_buffer_, r.bytes);
    if (!pending_input_.empty()) {
      pending_input_.append(data);
      data = pending_input_;
    }
    size_t consumed = 0;
    http::ResponseParser::State state = parser_.Feed(data, &consumed);
    if (state == http::ResponseParser::State::kError) {
      Fail(results::FailureKind::kParse, "bad response: " + parser_.ErrorReason());
      return;
    }
    if (data.data() == pending_input_.data()) {
      pending_input_.erase(0, consumed);
    } else {
      pending_input_.assign(data.substr(consumed));
    }
    if (state == http::ResponseParser::State::kComplete) {
      Finish(results::FailureKind::kNone, {});
      return;
    }
  }
}

void ClientConnection::Fail(results::FailureKind failure, std::string error) {
  if (!busy_) {
    // A connection opened ahead failed before any request: nothing to report.
    Close();
    return;
  }
  // A keep-alive connection the server had already closed fails before any byte of the
  // response; that says nothing about the server, so the request is sent again, once, on a
  // fresh connection.
  bool stale =
      reused_ && !retried_ && failure == results::FailureKind::kReset && !parser_.started();
  Close();
  if (stale) {
    retried_ = true;
    reused_ = false;
    written_ = 0;
    parser_.Reset(head_, filter_);
    Connect();
    return;
  }
  Finish(failure, std::move(error));
}

void ClientConnection::Finish(results::FailureKind failure, std::string error) {
  if (in_send_) {
    // Reported from the loop, never from inside Send, so a failing server cannot recurse.
    Report([this, failure, error = std::move(error)]() mutable {
      in_send_ = false;
      Finish(failure, std::move(error));
    });
    return;
  }
  busy_ = false;
  loop_.Cancel(report_timer_);
  report_timer_ = net::TimerId{};
  Exchange exchange = marks_;
  exchange.done_ns = MonotonicNowNs();
  exchange.failure = failure;
  exchange.error = std::move(error);
  exchange.bytes_sent = written_;
  exchange.bytes_received = bytes_received_;
  exchange.tls_version = transport_->tls_version();
  if (failure == results::FailureKind::kNone) {
    exchange.response = &parser_.response();
    if (!parser_.response().keep_alive) Close();
  } else {
    Close();
  }
  listener_.OnExchange(std::move(exchange));
}

}  // namespace fourdollar::load
