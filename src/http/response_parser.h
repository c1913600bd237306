// Incremental HTTP/1.1 response parser for the load generator. Boost.Beast does the work; its
// headers stay in response_parser.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace fourdollar::http {

struct ClientResponse {
  int status = 0;
  std::vector<Header> headers;
  std::string body;
  bool keep_alive = true;

  std::string_view HeaderValue(std::string_view name) const;
};

// What a caller needs kept of a response; the rest is parsed and counted, then dropped. A load
// generator that checks nothing in a body should not copy it.
struct ResponseFilter {
  bool keep_body = true;
  bool keep_all_headers = true;
  std::vector<std::string> header_names;  // kept when !keep_all_headers (case-insensitive)
};

// Parses one response at a time; Reset() before the next. The parser and the response's storage
// are reused from one response to the next, so a steady stream of responses allocates nothing.
// Not thread-safe.
class ResponseParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit ResponseParser(uint64_t body_limit_bytes = 64u << 20);
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // `head_request`: the response has no body whatever its headers say. `filter` (kept by the
  // caller until the next Reset; null keeps everything) says what to keep.
  void Reset(bool head_request, const ResponseFilter* filter = nullptr);
  // Consumes a prefix of `data`; bytes not consumed must be fed again with more appended.
  State Feed(std::string_view data, size_t* consumed);
  // The peer closed: completes a response whose body runs to the end of the connection.
  State FeedEof();
  // The complete response; valid until the next Reset.
  const ClientResponse& response() const { return response_; }
  ClientResponse TakeResponse() { return std::move(response_); }
  const std::string& ErrorReason() const { return error_reason_; }
  // Bytes of the current response seen so far (head and body), for the bytes-received figure.
  bool started() const { return started_; }

 private:
  class Impl;
  struct Storage;
  std::unique_ptr<Storage> storage_;  // Beast's parser, remade in place for each response
  ClientResponse response_;
  uint64_t body_limit_bytes_;
  std::string error_reason_;
  bool started_ = false;
};

}  // namespace fourdollar::http
