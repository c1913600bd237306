// Writes responses in HTTP/1.1 wire format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace fourdollar::http {

// The Date header value, formatted once per second. One per loop thread.
class DateCache {
 public:
  // `unix_seconds` is the wall-clock time; the string is reformatted only when it changes.
  std::string_view Get(int64_t unix_seconds);

 private:
  int64_t seconds_ = -1;
  std::string text_;
};

// Appends the status line, headers (Server, Date, Content-Type, Content-Length, Connection and
// the response's own) and, unless `head_only`, the body to `out`. A 204 or 304 gets neither
// Content-Type, Content-Length nor body.
void AppendResponse(const Response& response, bool head_only, bool keep_alive, int version_minor,
                    std::string_view date, std::string& out);

}  // namespace fourdollar::http
