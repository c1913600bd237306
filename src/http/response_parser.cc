#include "http/response_parser.h"

#include <optional>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace fourdollar::http {

namespace beast_http = boost::beast::http;
using boost::beast::error_code;

std::string_view ClientResponse::HeaderValue(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

namespace {
// Bodies larger than this are not kept in capacity between responses, so a thousand idle
// connections that once read a big page do not each hold it.
constexpr size_t kRetainedBodyBytes = 64 * 1024;
}  // namespace

class ResponseParser::Impl final : public beast_http::basic_parser<false> {
 public:
  Impl(ClientResponse& response, const ResponseFilter* filter)
      : response_(response), filter_(filter) {}

 private:
  bool KeepHeader(boost::beast::string_view name) const {
    if (filter_ == nullptr || filter_->keep_all_headers) return true;
    for (const std::string& wanted : filter_->header_names) {
      if (EqualsIgnoreCase(wanted, std::string_view(name.data(), name.size()))) return true;
    }
    return false;
  }
  bool KeepBody() const { return filter_ == nullptr || filter_->keep_body; }

  void on_request_impl(beast_http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int, error_code&) override {
    response_.status = code;
  }
  void on_field_impl(beast_http::field, boost::beast::string_view name,
                     boost::beast::string_view value, error_code&) override {
    if (!KeepHeader(name)) return;
    response_.headers.push_back(
        {std::string(name.data(), name.size()), std::string(value.data(), value.size())});
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length && KeepBody()) response_.body.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    if (KeepBody()) response_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    if (KeepBody()) response_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  ClientResponse& response_;
  const ResponseFilter* filter_;
};

struct ResponseParser::Storage {
  std::optional<Impl> parser;
};

ResponseParser::ResponseParser(uint64_t body_limit_bytes)
    : storage_(std::make_unique<Storage>()), body_limit_bytes_(body_limit_bytes) {
  Reset(false);
}

ResponseParser::~ResponseParser() = default;

void ResponseParser::Reset(bool head_request, const ResponseFilter* filter) {
  response_.status = 0;
  response_.headers.clear();
  response_.body.clear();
  if (response_.body.capacity() > kRetainedBodyBytes) response_.body.shrink_to_fit();
  response_.keep_alive = true;
  // Beast's parser cannot be rewound, so each response gets a fresh one, made in place.
  Impl& impl = storage_->parser.emplace(response_, filter);
  impl.body_limit(body_limit_bytes_);
  impl.header_limit(64 * 1024);
  impl.skip(head_request);
  error_reason_.clear();
  started_ = false;
}

ResponseParser::State ResponseParser::Feed(std::string_view data, size_t* consumed) {
  *consumed = 0;
  if (!data.empty()) started_ = true;
  Impl& parser = *storage_->parser;
  while (*consumed < data.size()) {
    // Boost 1.81's parser asserts, wrongly (fixed in Boost 1.86), when it is called again with
    // under 5 bytes from the last chunk's size line on: "0\r\n", then "\r" and "\n" in separate
    // reads. Those bytes cannot end the body yet ("0\r\n\r\n"), so wait for more.
    if (const std::string_view rest = data.substr(*consumed); parser.is_header_done() &&
                                                              parser.chunked() && rest.size() < 5 &&
                                                              rest.starts_with("0\r\n")) {
      return State::kNeedMore;
    }
    error_code ec;
    size_t n =
        parser.put(boost::asio::const_buffer(data.data() + *consumed, data.size() - *consumed), ec);
    *consumed += n;
    if (ec == beast_http::error::need_more) return State::kNeedMore;
    if (ec) {
      error_reason_ = ec.message();
      return State::kError;
    }
    if (parser.is_done()) {
      response_.keep_alive = parser.keep_alive();
      return State::kComplete;
    }
    if (n == 0) return State::kNeedMore;
  }
  return State::kNeedMore;
}

ResponseParser::State ResponseParser::FeedEof() {
  error_code ec;
  storage_->parser->put_eof(ec);
  if (ec || !storage_->parser->is_done()) {
    error_reason_ = ec ? ec.message() : "connection closed before the response ended";
    return State::kError;
  }
  response_.keep_alive = false;
  return State::kComplete;
}

}  // namespace fourdollar::http
