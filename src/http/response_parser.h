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

// Parses one response at a time; Reset() before the next. Not thread-safe.
class ResponseParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit ResponseParser(uint64_t body_limit_bytes = 64u << 20);
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // `head_request`: the response has no body whatever its headers say.
  void Reset(bool head_request);
  // Consumes a prefix of `data`; bytes not consumed must be fed again with more appended.
  State Feed(std::string_view data, size_t* consumed);
  // The peer closed: completes a response whose body runs to the end of the connection.
  State FeedEof();
  ClientResponse TakeResponse();
  const std::string& ErrorReason() const { return error_reason_; }
  // Bytes of the current response seen so far (head and body), for the bytes-received figure.
  bool started() const { return started_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t body_limit_bytes_;
  std::string error_reason_;
  bool started_ = false;
};

}  // namespace fourdollar::http
