// Incremental HTTP/1.1 request parser. Boost.Beast's parser does the work; its headers stay in
// request_parser.cc so that the rest of the project compiles fast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/router.h"

namespace fourdollar::http {

// Parses one request at a time; Reset() before the next. Not thread-safe.
class RequestParser {
 public:
  enum class State {
    kNeedMore,    // feed more bytes
    kHeaderDone,  // the head is complete: check it (Head()), set the body limit, feed on
    kComplete,    // a whole request: TakeRequest()
    kError,       // malformed: ErrorStatus() and ErrorReason() say why; close after replying
  };

  explicit RequestParser(size_t header_limit_bytes);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Consumes a prefix of `data` and reports how far parsing got. Bytes not consumed must be
  // fed again (with more appended). Stops after the head (kHeaderDone) and after one request.
  State Feed(std::string_view data, size_t* consumed);

  // Valid after kHeaderDone: a view of the head (its strings live until Reset()).
  RequestHead Head() const;
  // Sets the largest body accepted; beyond it Feed fails with 413 (chunked bodies included), at
  // once when Content-Length says so.
  void SetBodyLimit(uint64_t body_limit_bytes);

  // After kComplete: the request (method, target, path, query, headers, body, keep_alive).
  Request TakeRequest();

  int ErrorStatus() const { return error_status_; }
  const std::string& ErrorReason() const { return error_reason_; }

  // Ready for the next request.
  void Reset();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  size_t header_limit_bytes_;
  std::optional<uint64_t> body_limit_bytes_;
  int error_status_ = 0;
  std::string error_reason_;
};

}  // namespace fourdollar::http
