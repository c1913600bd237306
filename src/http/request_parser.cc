#include "http/request_parser.h"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <cctype>
#include <optional>

namespace fourdollar::http {

namespace beast_http = boost::beast::http;
using boost::beast::error_code;

namespace {

Method ToMethod(beast_http::verb verb) {
  switch (verb) {
    case beast_http::verb::get:
      return Method::kGet;
    case beast_http::verb::head:
      return Method::kHead;
    case beast_http::verb::post:
      return Method::kPost;
    case beast_http::verb::put:
      return Method::kPut;
    case beast_http::verb::delete_:
      return Method::kDelete;
    case beast_http::verb::patch:
      return Method::kPatch;
    case beast_http::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

// Beast unfolds obsolete line folding (a header line starting with a space or tab) silently;
// refusing it instead closes a request-smuggling door (RFC 9112 section 5.2 allows either).
bool HasObsoleteFold(std::string_view data) {
  size_t end = data.find("\r\n\r\n");
  std::string_view head = data.substr(0, end == std::string_view::npos ? data.size() : end);
  for (size_t i = head.find('\n'); i != std::string_view::npos; i = head.find('\n', i + 1)) {
    if (i + 1 < head.size() && (head[i + 1] == ' ' || head[i + 1] == '\t')) return true;
  }
  return false;
}

// True when the head so far has a CR not followed by LF or an LF not preceded by CR: lines must
// end in CRLF, and a parser that took a bare one as an end of line could split a request
// differently from a proxy in front.
bool HasBareLineEnding(std::string_view data) {
  size_t end = data.find("\r\n\r\n");
  std::string_view head = data.substr(0, end == std::string_view::npos ? data.size() : end + 4);
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) return true;
    if (head[i] == '\r' && i + 1 < head.size() && head[i + 1] != '\n') return true;
  }
  return false;
}

// True when the request line ends in a well-formed "HTTP/d.d", so a refusal is about the version
// and not about a line that is not HTTP at all.
bool NamesAnHttpVersion(std::string_view data) {
  std::string_view line = data.substr(0, data.find_first_of("\r\n"));
  size_t space = line.rfind(' ');
  if (space == std::string_view::npos) return false;
  std::string_view version = line.substr(space + 1);
  return version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
         std::isdigit(static_cast<unsigned char>(version[5])) && version[6] == '.' &&
         std::isdigit(static_cast<unsigned char>(version[7]));
}

bool IsChunkedOnly(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  constexpr std::string_view kChunked = "chunked";
  if (value.size() != kChunked.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kChunked[i]) return false;
  }
  return true;
}

}  // namespace

// Beast's basic_parser fills our Request directly, so no intermediate header container is built.
class RequestParser::Impl final : public beast_http::basic_parser<true> {
 public:
  Request request;
  std::string content_type;
  std::string authorization;
  bool bad_version = false;
  bool bad_target = false;
  bool saw_content_length = false;
  bool saw_transfer_encoding = false;
  bool unsupported_transfer_encoding = false;
  bool transfer_encoding_in_http10 = false;

 private:
  void on_request_impl(beast_http::verb verb, boost::beast::string_view method_text,
                       boost::beast::string_view target, int version, error_code& ec) override {
    (void)method_text;
    if (version != 10 && version != 11) {
      bad_version = true;
      ec = beast_http::error::bad_version;
      return;
    }
    if (target.empty() || target.front() != '/') {
      bad_target = true;
      ec = beast_http::error::bad_target;
      return;
    }
    request.method = ToMethod(verb);
    request.version_minor = version % 10;
    request.target.assign(target.data(), target.size());
    size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    request.query = q == std::string::npos ? std::string() : request.target.substr(q + 1);
  }

  void on_response_impl(int, boost::beast::string_view, int, error_code&) override {}

  void on_field_impl(beast_http::field name, boost::beast::string_view name_text,
                     boost::beast::string_view value, error_code& ec) override {
    if (name == beast_http::field::content_length) saw_content_length = true;
    if (name == beast_http::field::transfer_encoding) {
      saw_transfer_encoding = true;
      // RFC 9112 6.1: HTTP/1.0 has no Transfer-Encoding, so such a message's framing is faulty.
      if (request.version_minor == 0) {
        transfer_encoding_in_http10 = true;
        ec = beast_http::error::bad_transfer_encoding;
        return;
      }
      // Only "chunked" alone is understood; anything else would leave the body's end unknown.
      if (!IsChunkedOnly(std::string_view(value.data(), value.size()))) {
        unsupported_transfer_encoding = true;
        ec = beast_http::error::bad_transfer_encoding;
        return;
      }
    }
    if (name == beast_http::field::content_type) content_type.assign(value.data(), value.size());
    if (name == beast_http::field::authorization) authorization.assign(value.data(), value.size());
    request.headers.push_back(
        {std::string(name_text.data(), name_text.size()), std::string(value.data(), value.size())});
  }

  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) request.body.reserve(static_cast<size_t>(*length));
  }

  size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}

  size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}
};

RequestParser::RequestParser(size_t header_limit_bytes) : header_limit_bytes_(header_limit_bytes) {
  Reset();
}

RequestParser::~RequestParser() = default;

void RequestParser::Reset() {
  // Beast's parser cannot be rewound, so each request gets a fresh one.
  impl_ = std::make_unique<Impl>();
  impl_->header_limit(static_cast<std::uint32_t>(header_limit_bytes_));
  // No limit until the route is known; the head stops the parse first (eager false).
  impl_->body_limit(boost::none);
  impl_->eager(false);
  body_limit_bytes_.reset();
  error_status_ = 0;
  error_reason_.clear();
}

RequestParser::State RequestParser::Feed(std::string_view data, size_t* consumed) {
  *consumed = 0;
  bool header_was_done = impl_->is_header_done();
  // Beast checks a Content-Length against a limit set after the head only as the body arrives,
  // after announcing the body (which reserves that length): refuse it before.
  if (header_was_done && body_limit_bytes_ && impl_->content_length() &&
      *impl_->content_length() > *body_limit_bytes_) {
    error_status_ = 413;
    error_reason_ = "request body is over the limit";
    return State::kError;
  }
  if (!header_was_done && HasObsoleteFold(data)) {
    error_status_ = 400;
    error_reason_ = "obsolete line folding in a header is not accepted";
    return State::kError;
  }
  while (*consumed < data.size() || data.empty()) {
    // Boost 1.81's parser asserts, wrongly (fixed in Boost 1.86), when it is called again with
    // under 5 bytes from the last chunk's size line on: "0\r\n", then "\r" and "\n" in separate
    // reads. Those bytes cannot end the body yet ("0\r\n\r\n"), so wait for more.
    if (const std::string_view rest = data.substr(*consumed); impl_->is_header_done() &&
                                                              impl_->chunked() && rest.size() < 5 &&
                                                              rest.starts_with("0\r\n")) {
      return State::kNeedMore;
    }
    error_code ec;
    size_t n =
        impl_->put(boost::asio::const_buffer(data.data() + *consumed, data.size() - *consumed), ec);
    *consumed += n;
    if (ec == beast_http::error::need_more) return State::kNeedMore;
    if (ec) {
      if (ec == beast_http::error::header_limit) {
        error_status_ = 431;
        error_reason_ = "request header is over " + std::to_string(header_limit_bytes_) + " bytes";
      } else if (ec == beast_http::error::body_limit) {
        error_status_ = 413;
        error_reason_ = "request body is over the limit";
      } else if (!header_was_done && HasBareLineEnding(data)) {
        error_status_ = 400;
        error_reason_ = "bad line ending: a bare CR or LF (lines end in CRLF)";
      } else if (impl_->transfer_encoding_in_http10) {
        error_status_ = 400;
        error_reason_ = "Transfer-Encoding in an HTTP/1.0 request is not accepted";
      } else if (impl_->bad_version ||
                 (ec == beast_http::error::bad_version && NamesAnHttpVersion(data))) {
        error_status_ = 505;
        error_reason_ = "only HTTP/1.0 and HTTP/1.1 are supported";
      } else if (ec == beast_http::error::bad_version) {
        error_status_ = 400;
        error_reason_ = "malformed request line";
      } else if (impl_->saw_content_length &&
                 (impl_->saw_transfer_encoding || ec == beast_http::error::bad_transfer_encoding)) {
        // Beast refuses Transfer-Encoding after Content-Length before showing us the field.
        error_status_ = 400;
        error_reason_ = "Content-Length together with Transfer-Encoding is not accepted";
      } else if (impl_->unsupported_transfer_encoding ||
                 ec == beast_http::error::bad_transfer_encoding) {
        error_status_ = 501;
        error_reason_ = "unsupported Transfer-Encoding (only chunked)";
      } else {
        error_status_ = 400;
        error_reason_ = ec.message();
      }
      return State::kError;
    }
    if (impl_->is_done()) {
      impl_->request.keep_alive = impl_->keep_alive();
      return State::kComplete;
    }
    if (!header_was_done && impl_->is_header_done()) return State::kHeaderDone;
    if (n == 0) return State::kNeedMore;
    if (data.empty()) return State::kNeedMore;
  }
  return State::kNeedMore;
}

RequestHead RequestParser::Head() const {
  RequestHead head;
  head.method = impl_->request.method;
  head.path = impl_->request.path;
  head.content_type = impl_->content_type;
  head.authorization = impl_->authorization;
  if (auto length = impl_->content_length()) head.content_length = *length;
  return head;
}

void RequestParser::SetBodyLimit(uint64_t body_limit_bytes) {
  impl_->body_limit(body_limit_bytes);
  impl_->eager(true);
  body_limit_bytes_ = body_limit_bytes;
}

Request RequestParser::TakeRequest() { return std::move(impl_->request); }

}  // namespace fourdollar::http
