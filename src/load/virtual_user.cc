#include "load/virtual_user.h"

#include <charconv>

#include "base/clock.h"
#include "scenario/capture.h"
#include "scenario/template.h"

namespace fourdollar::load {

namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The path of an absolute http:// or https:// URL, or the URL itself when it is already a path.
std::string PathOf(std::string_view url) {
  const size_t scheme = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
  if (scheme != 0) {
    size_t slash = url.find('/', scheme);
    return slash == std::string_view::npos ? std::string("/") : std::string(url.substr(slash));
  }
  if (url.empty() || url.front() != '/') return "/" + std::string(url);
  return std::string(url);
}

// Fixed, so a run's random choices can be replayed.
constexpr uint64_t kRunSeed = 0x5EED0F4D011A5ull;

bool HasHeader(const std::vector<std::pair<std::string, scenario::Template>>& headers,
               std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (http::EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

std::unique_ptr<Transport> MakeTransport(const VuContext& context) {
  if (!context.tls) return std::make_unique<TcpTransport>();
  return std::make_unique<TlsTransport>(context.tls, context.server_name, false);
}

}  // namespace

http::ResponseFilter ResponseFilterFor(const scenario::Step& step) {
  http::ResponseFilter filter;
  filter.keep_all_headers = false;
  filter.header_names.push_back("Location");
  filter.keep_body = !step.check.body_contains.empty();
  if (step.revalidate) filter.header_names.push_back("ETag");
  for (const scenario::Capture& capture : step.captures) {
    if (capture.kind == scenario::Capture::Kind::kHeader) {
      filter.header_names.push_back(capture.expression);
    } else {
      filter.keep_body = true;
    }
  }
  return filter;
}

std::vector<std::vector<http::ResponseFilter>> ResponseFiltersFor(
    const scenario::ScenarioFile& file) {
  std::vector<std::vector<http::ResponseFilter>> filters;
  for (const scenario::Scenario& scenario : file.scenarios) {
    std::vector<http::ResponseFilter>& steps = filters.emplace_back();
    for (const scenario::Step& step : scenario.flow) steps.push_back(ResponseFilterFor(step));
  }
  return filters;
}

VirtualUser::VirtualUser(const VuContext& context, int64_t global_id, IterationListener& listener)
    : context_(context),
      global_id_(global_id),
      listener_(listener),
      random_(scenario::Random::ForVu(kRunSeed, global_id)),
      lookup_([this](std::string_view name) -> const std::string* {
        // Later captures of the same name win: search from the back.
        for (auto it = captured_.rbegin(); it != captured_.rend(); ++it) {
          if (it->first == name) return &it->second;
        }
        return nullptr;
      }),
      connection_(*context.loop, context.endpoint, MakeTransport(context), context.read_buffer,
                  *this) {
  connection_.SetSources(context.sources);
}

void VirtualUser::StartIteration(size_t scenario, int64_t intended_start_ns) {
  running_ = true;
  scenario_ = scenario;
  step_ = 0;
  intended_start_ns_ = intended_start_ns;
  captured_.clear();
  const scenario::Connections connections = context_.file->scenarios[scenario].connections;
  if (connections == scenario::Connections::kPerIteration) validators_.Clear();
  connection_.SetResume(connections == scenario::Connections::kPerIterationResumed);
  RunStep();
}

void VirtualUser::Abandon() {
  context_.loop->Cancel(think_timer_);
  think_timer_ = net::TimerId{};
  connection_.Close();
  running_ = false;
}

void VirtualUser::RunStep() {
  const scenario::Step& step = context_.file->scenarios[scenario_].flow[step_];
  method_ = step.method;
  path_.clear();
  scenario::AppendTemplate(step.url, lookup_, random_, global_id_, iteration_, &path_);
  if (path_.empty() || path_.front() != '/') path_ = PathOf(path_);
  body_.clear();
  if (step.body)
    scenario::AppendTemplate(*step.body, lookup_, random_, global_id_, iteration_, &body_);
  hops_ = 0;
  SendCurrent();
}

void VirtualUser::SendCurrent() {
  const scenario::ScenarioFile& file = *context_.file;
  const scenario::Step& step = file.scenarios[scenario_].flow[step_];
  // No reserve: the buffer keeps its capacity from one request to the next, and thousands of
  // idle VUs should not each hold more than their requests need.
  std::string& request = request_;
  request.clear();
  request += http::MethodName(method_);
  request += ' ';
  request += path_;
  request += " HTTP/1.1\r\nHost: ";
  request += context_.host_header;
  request += "\r\nUser-Agent: fourdollar-load\r\n";
  // A redirect followed as GET drops the step's body and the headers that described it.
  const bool original = hops_ == 0 || (method_ == step.method && !body_.empty());
  for (const auto& [name, value] : file.default_headers) {
    if (HasHeader(step.headers, name)) continue;
    request += name;
    request += ": ";
    scenario::AppendTemplate(value, lookup_, random_, global_id_, iteration_, &request);
    request += "\r\n";
  }
  for (const auto& [name, value] : step.headers) {
    if (!original && http::EqualsIgnoreCase(name, "Content-Type")) continue;
    request += name;
    request += ": ";
    scenario::AppendTemplate(value, lookup_, random_, global_id_, iteration_, &request);
    request += "\r\n";
  }
  revalidating_ = false;
  if (step.revalidate && (method_ == http::Method::kGet || method_ == http::Method::kHead)) {
    // A page stored without its body cannot stand in for one that a check or capture reads.
    const StoredPage* page = validators_.Find(path_);
    if (page != nullptr &&
        (page->has_body || !context_.response_filters[scenario_][step_].keep_body)) {
      request += "If-None-Match: ";
      request += page->etag;
      request += "\r\n";
      revalidating_ = true;
    }
  }
  const bool has_body = original && (step.body.has_value() || method_ == http::Method::kPost ||
                                     method_ == http::Method::kPut);
  if (has_body) {
    if (step.json && !HasHeader(step.headers, "Content-Type")) {
      request += "Content-Type: application/json\r\n";
    }
    char number[24];
    auto r = std::to_chars(number, number + sizeof number, body_.size());
    request += "Content-Length: ";
    request.append(number, r.ptr);
    request += "\r\n";
  }
  request += "\r\n";
  if (has_body) request += body_;
  sent_ns_ = MonotonicNowNs();
  connection_.Send(request, method_ == http::Method::kHead, file.timeout_ms,
                   &context_.response_filters[scenario_][step_]);
}

void VirtualUser::OnExchange(Exchange exchange) {
  if (!running_) return;
  const scenario::Step& step = context_.file->scenarios[scenario_].flow[step_];
  const int64_t now_ns = exchange.done_ns;
  // The open model measures the iteration's first request from when it was due to start.
  const int64_t from_ns =
      (intended_start_ns_ != 0 && step_ == 0 && hops_ == 0) ? intended_start_ns_ : sent_ns_;
  results::RequestSample sample;
  sample.name_index = context_.step_names[scenario_][step_] + (hops_ > 0 ? 1 : 0);
  sample.start_unix_us = context_.run_start_unix_us + (from_ns - context_.run_start_mono_ns) / 1000;
  sample.duration_us = (now_ns - from_ns) / 1000;
  sample.status = exchange.response->status;
  sample.failure = exchange.failure;
  sample.bytes_sent = exchange.bytes_sent;
  sample.bytes_received = exchange.bytes_received;
  sample.phases = PhasesOf(exchange, from_ns);
  sample.tls_handshake = exchange.tls_handshake;
  sample.tls_resumed = exchange.tls_resumed;
  sample.tls_version = exchange.tls_version;

  if (exchange.failure != results::FailureKind::kNone) {
    if (!exchange.error.empty()) context_.recorder->NoteFailure(exchange.failure, exchange.error);
    Record(sample);
    EndIteration();
    return;
  }
  const http::ClientResponse& response = *exchange.response;
  if (IsRedirect(response.status) && hops_ < context_.file->max_redirects &&
      !response.HeaderValue("Location").empty()) {
    Record(sample);
    if (FollowRedirect(response)) return;
    EndIteration();
    return;
  }
  // The final response of the step: status, checks and captures. A 304 to a revalidation
  // confirms the stored page: checks and captures see its status and body (and the 304's
  // headers), as a page script sees a browser's cached page; the sample records the 304.
  int status = response.status;
  const std::string* body = &response.body;
  if (revalidating_ && response.status == 304) {
    if (const StoredPage* page = validators_.Find(path_)) {
      status = page->status;
      body = &page->body;
    }
  }
  bool ok = true;
  const int64_t now_unix_us = sample.start_unix_us + sample.duration_us;
  if (step.check.status) {
    bool passed = status == *step.check.status;
    context_.recorder->CountCheck(now_unix_us, passed);
    ok = ok && passed;
  }
  for (const std::string& needle : step.check.body_contains) {
    bool passed = body->find(needle) != std::string::npos;
    context_.recorder->CountCheck(now_unix_us, passed);
    ok = ok && passed;
  }
  for (const scenario::Capture& capture : step.captures) {
    std::optional<std::string> value = scenario::ApplyCapture(
        capture, status, response.headers, *body, random_, context_.capture_memo);
    if (!value) {
      context_.recorder->CountCheck(now_unix_us, false);
      ok = false;
      break;
    }
    captured_.emplace_back(capture.as, std::move(*value));
  }
  const bool status_expected = step.check.status && *step.check.status == status;
  if (status >= 400 && !status_expected) {
    sample.failure = results::FailureKind::kStatus;
  } else if (!ok) {
    sample.failure = results::FailureKind::kCheck;
  }
  Record(sample);
  if (sample.failure != results::FailureKind::kNone) {
    EndIteration();
    return;
  }
  if (step.revalidate && response.status == 200) {
    if (std::string_view etag = response.HeaderValue("ETag"); !etag.empty()) {
      const bool has_body =
          method_ == http::Method::kGet && context_.response_filters[scenario_][step_].keep_body;
      validators_.Store(path_, etag, response.status, has_body, response.body);
    }
  }
  FinishStep(exchange);
}

bool VirtualUser::FollowRedirect(const http::ClientResponse& response) {
  std::string_view location = response.HeaderValue("Location");
  std::string next = PathOf(location);
  if (!location.starts_with("http://") && !location.starts_with("https://") && !location.empty() &&
      location.front() != '/') {
    // A relative reference: resolve against the current path's folder.
    next = path_.substr(0, path_.rfind('/') + 1) + std::string(location);
  }
  path_ = std::move(next);
  const bool to_get =
      response.status == 303 ||
      ((response.status == 301 || response.status == 302) && method_ == http::Method::kPost);
  if (to_get) {
    if (method_ != http::Method::kHead) method_ = http::Method::kGet;
    body_.clear();
  }
  ++hops_;
  SendCurrent();
  return true;
}

void VirtualUser::FinishStep(const Exchange&) {
  const scenario::Step& step = context_.file->scenarios[scenario_].flow[step_];
  ++step_;
  int64_t think_ms = step.think_min_ms;
  if (step.think_max_ms > step.think_min_ms)
    think_ms = random_.Uniform(step.think_min_ms, step.think_max_ms);
  bool last = step_ >= context_.file->scenarios[scenario_].flow.size();
  if (think_ms > 0) {
    think_timer_ =
        context_.loop->RunAt(context_.loop->now_ns() + think_ms * 1'000'000, [this, last] {
          think_timer_ = net::TimerId{};
          if (last) {
            EndIteration();
          } else {
            RunStep();
          }
        });
    return;
  }
  if (last) {
    EndIteration();
  } else {
    RunStep();
  }
}

void VirtualUser::Record(const results::RequestSample& sample) {
  context_.recorder->Record(sample);
  if (context_.raw_csv != nullptr) {
    context_.raw_csv->Write(sample, http::MethodName(method_), path_,
                            context_.file->scenarios[scenario_].name);
  }
}

void VirtualUser::EndIteration() {
  // A new visitor (or a returning one) leaves after its iteration: its next one connects anew.
  if (context_.file->scenarios[scenario_].connections != scenario::Connections::kKeepAlive) {
    connection_.Close();
  }
  running_ = false;
  ++iteration_;
  listener_.OnIterationDone(*this);
}

}  // namespace fourdollar::load
