#include "hostile/hostile_clients.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/open_files.h"
#include "http/response_parser.h"
#include "net/event_loop.h"
#include "net/tls_stream.h"

namespace fourdollar::hostile {

namespace {

constexpr std::array<std::string_view, 6> kModeNames = {"slow-drip", "idle", "flood",
                                                        "pipeline",  "half", "reset"};
constexpr std::array<size_t, 6> kDefaultConnections = {1000, 10000, 64, 8, 64, 64};
constexpr size_t kReadChunkBytes = 64 * 1024;
// The largest TLS record's plaintext.
constexpr size_t kTlsPlainChunkBytes = 16 * 1024;
// A failed connect (no file descriptor, no port, refused) is tried again after this long.
constexpr int64_t kConnectRetryNs = 10'000'000;
constexpr int64_t kReadTickNs = 100'000'000;
// Requests pipelined before a mid-response reset.
constexpr size_t kResetPipelineDepth = 100;
constexpr size_t kCutBodyBytes = 1000;

bool HoldsConnections(Mode mode) {
  return mode == Mode::kSlowDrip || mode == Mode::kIdle || mode == Mode::kPipeline;
}

class Runner;

// One hostile connection: connects (and completes a TLS handshake when asked to), then behaves
// as its mode and number say.
class Connection final : public net::IoHandler {
 public:
  Connection(Runner& runner, uint64_t number, UniqueFd fd);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Register();
  void OnIo(uint32_t events) override;
  // Ends the connection from our side: a normal close, or a reset.
  void Close(bool reset);
  uint64_t number() const { return number_; }

 private:
  void OnConnected();
  // The mode's behaviour, once connected (and, over TLS, once the handshake is done).
  void Begin();
  void Read(size_t budget_bytes);
  // Bytes from the socket: through TLS when it speaks it, then to Parse.
  void Received(std::string_view raw);
  void Parse(std::string_view data);
  // Request bytes, sealed in TLS records when it speaks TLS.
  void Write(std::string_view bytes);
  // Bytes for the socket as they are.
  void WriteRaw(std::string_view bytes);
  bool Secured() const { return !tls_ || tls_->handshake_done(); }
  void Flush();
  void Drip();
  void ReadTick();
  void NextPipelineBatch();
  void ServerClosed();

  Runner& runner_;
  const uint64_t number_;
  UniqueFd fd_;
  bool connecting_ = true;
  bool done_ = false;
  std::string out_;
  size_t out_offset_ = 0;
  std::string in_;
  std::unique_ptr<http::ResponseParser> parser_;
  bool parse_failed_ = false;
  bool reads_ = true;            // reads whatever arrives (else only on its own ticks, or never)
  bool reset_on_reply_ = false;  // resets as soon as response bytes arrive
  bool batch_queued_ = false;
  std::string drip_request_;
  size_t drip_offset_ = 0;
  std::unique_ptr<net::TlsStream> tls_;
  bool drip_partial_record_ = false;  // drips the bytes of a sealed record (drip_record_)
  std::string drip_record_;
  size_t drip_record_offset_ = 0;
  net::TimerId timer_;
};

class Runner {
 public:
  Runner(const HostileOptions& options, net::EventLoop& loop)
      : options_(options),
        loop_(loop),
        target_(options.connections > 0 ? options.connections
                                        : kDefaultConnections[static_cast<size_t>(options.mode)]) {
    report_.mode = options.mode;
  }

  void Start() {
    start_ns_ = MonotonicNowNs();
    loop_.RunAt(loop_.now_ns() + options_.duration_ms * 1'000'000, [this] { End(); });
    Refill();
  }

  HostileReport Finish() {
    report_.elapsed_ms = (MonotonicNowNs() - start_ns_) / 1'000'000;
    return report_;
  }

  const HostileOptions& options() const { return options_; }
  // The open connection with this number, or null.
  Connection* Find(uint64_t number) {
    auto it = open_.find(number);
    return it == open_.end() ? nullptr : it->second.get();
  }
  net::EventLoop& loop() { return loop_; }
  HostileReport& report() { return report_; }
  char* read_buffer() { return read_buffer_.data(); }

  void Established() {
    --connecting_;
    ++report_.connected;
    ++established_;
    if (established_ > report_.peak_open) report_.peak_open = established_;
    Refill();
  }

  // The connection is over; it is freed after the current event.
  void Closed(Connection* connection, bool was_established, bool by_server) {
    auto it = open_.find(connection->number());
    if (it == open_.end()) return;
    if (was_established) {
      --established_;
    } else {
      --connecting_;
    }
    if (dead_.empty()) loop_.Post([this] { dead_.clear(); });
    dead_.push_back(std::move(it->second));
    open_.erase(it);
    if (ending_) return;
    if (!was_established || (by_server && HoldsConnections(options_.mode))) {
      int64_t delay_ns =
          was_established ? options_.reconnect_delay_ms * 1'000'000 : kConnectRetryNs;
      RefillAfter(delay_ns);
    } else {
      RefillSoon();
    }
  }

 private:
  void Refill() {
    while (!ending_ && open_.size() < target_ && connecting_ < options_.max_connects_in_flight) {
      ++report_.connects;
      Result<UniqueFd> fd = net::StartConnect(options_.target);
      if (!fd) {
        // Out of descriptors or local ports: try again shortly rather than spin.
        ++report_.connect_failures;
        RefillAfter(kConnectRetryNs);
        return;
      }
      uint64_t number = next_number_++;
      auto connection = std::make_unique<Connection>(*this, number, std::move(*fd));
      Connection* raw = connection.get();
      open_.emplace(number, std::move(connection));
      ++connecting_;
      if (!raw->Register()) {
        ++report_.connect_failures;
        Closed(raw, false, false);
        return;
      }
    }
  }

  void RefillSoon() {
    if (refill_posted_) return;
    refill_posted_ = true;
    loop_.Post([this] {
      refill_posted_ = false;
      Refill();
    });
  }

  void RefillAfter(int64_t delay_ns) {
    if (refill_timer_.valid()) return;
    refill_timer_ = loop_.RunAt(loop_.now_ns() + delay_ns, [this] {
      refill_timer_ = net::TimerId{};
      Refill();
    });
  }

  void End() {
    ending_ = true;
    loop_.Cancel(refill_timer_);
    std::vector<Connection*> all;
    for (auto& [number, connection] : open_) all.push_back(connection.get());
    for (Connection* connection : all) connection->Close(false);
    loop_.Post([this] { loop_.Stop(); });
  }

  const HostileOptions options_;
  net::EventLoop& loop_;
  const size_t target_;
  HostileReport report_;
  int64_t start_ns_ = 0;
  std::array<char, kReadChunkBytes> read_buffer_{};
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> open_;
  std::vector<std::unique_ptr<Connection>> dead_;
  size_t connecting_ = 0;
  size_t established_ = 0;
  uint64_t next_number_ = 0;
  bool ending_ = false;
  bool refill_posted_ = false;
  net::TimerId refill_timer_;
};

std::string GetRequest(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: fourdollar-hostile\r\n\r\n";
}

std::string PostHead(const HostileOptions& options, size_t content_length) {
  std::string head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  if (!options.write_token.empty()) head += "Authorization: Bearer " + options.write_token + "\r\n";
  return head + "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

std::string PostBody(uint64_t number) {
  return R"({"title":"reset )" + std::to_string(number) + R"(","body":"sent, then reset"})";
}

Connection::Connection(Runner& runner, uint64_t number, UniqueFd fd)
    : runner_(runner), number_(number), fd_(std::move(fd)) {}

Connection::~Connection() {
  runner_.loop().Cancel(timer_);
  if (fd_.valid()) runner_.loop().Remove(fd_.get());
}

Status Connection::Register() {
  return runner_.loop().Add(fd_.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
}

void Connection::OnIo(uint32_t events) {
  if (done_) return;
  if (connecting_) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    if (net::ConnectResult(fd_.get()) != 0) {
      ++runner_.report().connect_failures;
      done_ = true;
      runner_.Closed(this, false, false);
      return;
    }
    connecting_ = false;
    runner_.Established();
    OnConnected();
    if (done_) return;
  }
  if (events & EPOLLOUT) Flush();
  if (done_) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (reads_) {
      Read(SIZE_MAX);
    } else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      ServerClosed();
    }
  }
}

void Connection::OnConnected() {
  const HostileOptions& options = runner_.options();
  if (!options.tls) {
    Begin();
    return;
  }
  Result<std::unique_ptr<net::TlsStream>> stream =
      net::TlsStream::ConnectBuffered(options.tls, options.server_name, nullptr);
  if (!stream) {
    ++runner_.report().handshake_failures;
    Close(false);
    return;
  }
  tls_ = std::move(*stream);
  (void)tls_->Handshake();  // the ClientHello
  WriteRaw(tls_->TakeOutput());
  // Half the flood leaves once its ClientHello is sent: a handshake abandoned.
  if (!done_ && options.mode == Mode::kFlood && number_ % 2 == 0) Close(false);
}

void Connection::Begin() {
  const HostileOptions& options = runner_.options();
  switch (options.mode) {
    case Mode::kSlowDrip: {
      drip_request_ = GetRequest(options.path);
      drip_partial_record_ =
          tls_ != nullptr && (options.tls_drip == TlsDrip::kPartialRecord ||
                              (options.tls_drip == TlsDrip::kBoth && number_ % 2 == 0));
      // Spread the connections' drips over the interval.
      int64_t interval_ns = options.drip_interval_ms * 1'000'000;
      int64_t offset_ns = static_cast<int64_t>(number_ * 7919) % std::max<int64_t>(interval_ns, 1);
      timer_ = runner_.loop().RunAt(runner_.loop().now_ns() + offset_ns, [this] { Drip(); });
      return;
    }
    case Mode::kIdle:
      return;
    case Mode::kFlood: {
      if (number_ % 2 == 1) {
        std::string request = GetRequest(options.path);
        Write(request.substr(0, request.size() / 2));
      }
      if (!done_) Close(false);
      return;
    }
    case Mode::kPipeline:
      // Even connections read slowly, odd ones never read.
      reads_ = false;
      if (number_ % 2 == 0) {
        timer_ =
            runner_.loop().RunAt(runner_.loop().now_ns() + kReadTickNs, [this] { ReadTick(); });
      }
      NextPipelineBatch();
      return;
    case Mode::kHalf: {
      std::string bytes;
      if (number_ % 2 == 0) {
        std::string request = GetRequest(options.path);
        bytes = request.substr(0, 1 + number_ % (request.size() - 1));  // cut in the head
      } else {
        bytes = PostHead(options, kCutBodyBytes) + std::string(kCutBodyBytes / 2, ' ');
      }
      Write(std::move(bytes));
      if (!done_) Close(false);
      return;
    }
    case Mode::kReset: {
      switch (number_ % 4) {
        case 0: {  // mid-request
          std::string request = GetRequest(options.path);
          Write(request.substr(0, request.size() / 2));
          break;
        }
        case 1:  // right after a whole request, before its response is read
          Write(GetRequest(options.path));
          break;
        case 2: {  // mid-response: once the first bytes of many pipelined responses arrive
          std::string batch;
          for (size_t i = 0; i < kResetPipelineDepth; ++i) batch += GetRequest(options.path);
          reset_on_reply_ = true;
          Write(std::move(batch));
          return;
        }
        default: {  // a whole post, reset while the server stores it
          std::string body = PostBody(number_);
          Write(PostHead(options, body.size()) + body);
          break;
        }
      }
      if (!done_) Close(true);
      return;
    }
  }
}

void Connection::Write(std::string_view bytes) {
  if (!tls_) {
    WriteRaw(bytes);
    return;
  }
  // Into memory: the whole of it is sealed at once.
  if (tls_->Write(bytes.data(), bytes.size()).kind != net::IoResult::Kind::kDone) {
    Close(false);
    return;
  }
  WriteRaw(tls_->TakeOutput());
}

void Connection::WriteRaw(std::string_view bytes) {
  out_ += bytes;
  Flush();
}

void Connection::Flush() {
  while (!done_ && !connecting_ && out_offset_ < out_.size()) {
    ssize_t n =
        ::send(fd_.get(), out_.data() + out_offset_, out_.size() - out_offset_, MSG_NOSIGNAL);
    if (n > 0) {
      out_offset_ += static_cast<size_t>(n);
      runner_.report().bytes_sent += static_cast<uint64_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      ServerClosed();
      return;
    }
  }
  if (out_offset_ == out_.size()) {
    out_.clear();
    out_offset_ = 0;
    if (!done_ && runner_.options().mode == Mode::kPipeline && !batch_queued_ && Secured()) {
      // The next batch waits for the loop's other events: a server that keeps up must not
      // keep this one connection writing forever.
      batch_queued_ = true;
      // Looked up again when it runs: the connection may have been freed by then.
      runner_.loop().Post([&runner = runner_, number = number_] {
        if (Connection* connection = runner.Find(number)) {
          connection->batch_queued_ = false;
          connection->NextPipelineBatch();
        }
      });
    }
  }
}

void Connection::NextPipelineBatch() {
  const HostileOptions& options = runner_.options();
  std::string request = GetRequest(options.path);
  std::string batch;
  batch.reserve(request.size() * options.pipeline_depth);
  for (size_t i = 0; i < options.pipeline_depth; ++i) batch += request;
  Write(std::move(batch));
}

void Connection::Drip() {
  timer_ = net::TimerId{};
  if (done_) return;
  if (drip_partial_record_) {
    if (drip_record_offset_ == drip_record_.size()) {
      if (tls_->Write(drip_request_.data(), drip_request_.size()).kind !=
          net::IoResult::Kind::kDone) {
        Close(false);
        return;
      }
      drip_record_ = tls_->TakeOutput();
      drip_record_offset_ = 0;
    }
    WriteRaw(std::string_view(drip_record_).substr(drip_record_offset_++, 1));
  } else {
    Write(std::string_view(drip_request_).substr(drip_offset_++ % drip_request_.size(), 1));
  }
  if (done_) return;
  timer_ = runner_.loop().RunAt(
      runner_.loop().now_ns() + runner_.options().drip_interval_ms * 1'000'000, [this] { Drip(); });
}

void Connection::ReadTick() {
  timer_ = net::TimerId{};
  if (done_) return;
  size_t per_tick = runner_.options().pipeline_read_bytes_per_s * kReadTickNs / 1'000'000'000;
  Read(std::max<size_t>(per_tick, 1));
  if (done_) return;
  timer_ = runner_.loop().RunAt(runner_.loop().now_ns() + kReadTickNs, [this] { ReadTick(); });
}

void Connection::Read(size_t budget_bytes) {
  char* buffer = runner_.read_buffer();
  while (!done_ && budget_bytes > 0) {
    ssize_t n = ::recv(fd_.get(), buffer, std::min(budget_bytes, kReadChunkBytes), 0);
    if (n > 0) {
      budget_bytes -= static_cast<size_t>(n);
      runner_.report().bytes_received += static_cast<uint64_t>(n);
      Received(std::string_view(buffer, static_cast<size_t>(n)));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      ServerClosed();  // end of stream, or reset
      return;
    }
  }
}

void Connection::Received(std::string_view raw) {
  if (!tls_) {
    Parse(raw);
    return;
  }
  tls_->Feed(raw);
  if (!tls_->handshake_done()) {
    net::IoResult r = tls_->Handshake();
    WriteRaw(tls_->TakeOutput());
    if (done_ || r.kind == net::IoResult::Kind::kWouldBlock) return;
    if (r.kind != net::IoResult::Kind::kDone) {
      ++runner_.report().handshake_failures;
      ServerClosed();
      return;
    }
    ++runner_.report().handshakes;
    Begin();
  }
  std::array<char, kTlsPlainChunkBytes> plain;
  while (!done_) {
    net::IoResult r = tls_->Read(plain.data(), plain.size());
    if (r.kind == net::IoResult::Kind::kWouldBlock) return;
    if (r.kind != net::IoResult::Kind::kDone) {
      ServerClosed();  // close_notify, or a broken record
      return;
    }
    Parse(std::string_view(plain.data(), r.bytes));
  }
}

// Counts the responses in the received bytes, by status.
void Connection::Parse(std::string_view data) {
  if (reset_on_reply_ && !data.empty()) {
    Close(true);
    return;
  }
  if (parse_failed_) return;
  if (!parser_) {
    parser_ = std::make_unique<http::ResponseParser>();
    parser_->Reset(false);
  }
  in_.append(data);
  size_t offset = 0;
  while (offset < in_.size()) {
    size_t consumed = 0;
    http::ResponseParser::State state =
        parser_->Feed(std::string_view(in_).substr(offset), &consumed);
    offset += consumed;
    if (state == http::ResponseParser::State::kNeedMore) break;
    if (state == http::ResponseParser::State::kError) {
      parse_failed_ = true;
      break;
    }
    ++runner_.report().statuses[parser_->TakeResponse().status];
    parser_->Reset(false);
  }
  in_.erase(0, offset);
}

void Connection::ServerClosed() {
  if (done_) return;
  done_ = true;
  ++runner_.report().closed_by_server;
  runner_.Closed(this, true, true);
}

void Connection::Close(bool reset) {
  if (done_) return;
  done_ = true;
  if (connecting_) {
    runner_.Closed(this, false, false);
    return;
  }
  if (reset) {
    linger no_linger{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
    ++runner_.report().reset_by_us;
  } else {
    ++runner_.report().closed_by_us;
  }
  runner_.loop().Remove(fd_.get());
  fd_.Reset();
  runner_.Closed(this, true, false);
}

}  // namespace

Result<Mode> ParseMode(std::string_view name) {
  for (size_t i = 0; i < kModeNames.size(); ++i) {
    if (kModeNames[i] == name) return static_cast<Mode>(i);
  }
  return MakeError(
      ErrorCode::kInvalidArgument,
      "unknown mode '" + std::string(name) + "' (slow-drip, idle, flood, pipeline, half or reset)");
}

std::string_view ModeName(Mode mode) { return kModeNames[static_cast<size_t>(mode)]; }

uint64_t HostileReport::responses() const {
  uint64_t total = 0;
  for (const auto& [status, count] : statuses) total += count;
  return total;
}

std::string HostileReport::ToString() const {
  std::string text = "mode=" + std::string(ModeName(mode));
  auto add = [&text](const char* name, uint64_t value) {
    text += ' ';
    text += name;
    text += '=';
    text += std::to_string(value);
  };
  add("connects", connects);
  add("connected", connected);
  add("connect_failures", connect_failures);
  add("peak_open", peak_open);
  add("closed_by_server", closed_by_server);
  add("closed_by_us", closed_by_us);
  add("reset_by_us", reset_by_us);
  add("bytes_sent", bytes_sent);
  add("bytes_received", bytes_received);
  add("handshakes", handshakes);
  add("handshake_failures", handshake_failures);
  add("responses", responses());
  text += " statuses=";
  if (statuses.empty()) text += '-';
  bool first = true;
  for (const auto& [status, count] : statuses) {
    if (!first) text += ',';
    first = false;
    text += std::to_string(status) + ':' + std::to_string(count);
  }
  add("elapsed_ms", static_cast<uint64_t>(elapsed_ms));
  return text;
}

Result<HostileReport> RunHostile(const HostileOptions& options) {
  RaiseOpenFileLimit();
  Result<std::unique_ptr<net::EventLoop>> loop = net::EventLoop::Create();
  if (!loop) return tl::unexpected(loop.error());
  auto runner = std::make_unique<Runner>(options, **loop);
  runner->Start();
  (*loop)->Run();
  return runner->Finish();
}

}  // namespace fourdollar::hostile
