#include "http/serializer.h"

#include <time.h>

#include <charconv>

namespace fourdollar::http {

std::string_view DateCache::Get(int64_t unix_seconds) {
  if (unix_seconds != seconds_) {
    seconds_ = unix_seconds;
    time_t t = static_cast<time_t>(unix_seconds);
    tm parts{};
    gmtime_r(&t, &parts);
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    text_.assign(buf, n);
  }
  return text_;
}

void AppendResponse(const Response& response, bool head_only, bool keep_alive, int version_minor,
                    std::string_view date, std::string& out) {
  std::string_view body = response.Body();
  char number[24];
  out += version_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  auto r = std::to_chars(number, number + sizeof number, response.status);
  out.append(number, r.ptr);
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\nServer: fourdollar\r\nDate: ";
  out += date;
  // 204 and 304 have no body, and no Content-Length (RFC 9110 8.6).
  const bool no_body = response.status == 204 || response.status == 304;
  if (!no_body) {
    out += "\r\nContent-Type: ";
    out += response.content_type;
    out += "\r\nContent-Length: ";
    r = std::to_chars(number, number + sizeof number, body.size());
    out.append(number, r.ptr);
  }
  out += "\r\nX-Content-Type-Options: nosniff\r\n";
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (version_minor == 0) {
    out += "Connection: keep-alive\r\n";
  }
  for (const Header& header : response.headers) {
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
  }
  if (response.shared_header_lines) out += *response.shared_header_lines;
  out += "\r\n";
  if (!head_only && !no_body) out += body;
}

}  // namespace fourdollar::http
