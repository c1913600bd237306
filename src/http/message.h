// HTTP/1.1 messages as plain values. Nothing here touches a socket or Boost.Beast.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fourdollar::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

std::string_view MethodName(Method method);

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  Method method = Method::kGet;
  std::string target;  // as sent: "/12?x=1"
  std::string path;    // target up to '?': "/12"
  std::string query;   // after '?', without it: "x=1"
  std::vector<Header> headers;
  std::string body;
  bool keep_alive = true;
  int version_minor = 1;  // HTTP/1.<version_minor>
  int64_t start_ns = 0;   // monotonic time at which the first byte of the request arrived

  // The value of the first header with this name (case-insensitive), or "" when absent.
  std::string_view HeaderValue(std::string_view name) const;
  // The value of a query parameter (not percent-decoded), or std::nullopt-like "absent" flag.
  bool QueryParam(std::string_view key, std::string_view* value) const;
};

struct Response {
  int status = 200;
  // Must point to static storage (a literal).
  std::string_view content_type = "text/plain; charset=utf-8";
  std::vector<Header> headers;  // extra headers: Location, Allow, Retry-After, Cache-Control...
  std::string body;
  // When set, sent instead of `body` (cached pages, shared without copying).
  std::shared_ptr<const std::string> shared_body;
  // When set, header lines made in advance ("Name: value\r\n" each), sent after `headers`
  // (a cached page's validators, shared without copying).
  std::shared_ptr<const std::string> shared_header_lines;
  bool close = false;  // close the connection after this response

  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : body; }
};

// The reason phrase of a status code: "OK", "See Other"...
std::string_view ReasonPhrase(int status);

// A plain-text response "<status> <reason>: <detail>\n".
Response TextResponse(int status, std::string_view detail);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace fourdollar::http
