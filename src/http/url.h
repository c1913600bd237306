// http:// and https:// URLs taken apart: the one reader of the URLs given to fourdollar (a
// scenario's target and steps, load --target and --scrape, bench --target).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/tcp.h"

namespace fourdollar::http {

struct Url {
  enum class Scheme { kHttp, kHttps };

  Scheme scheme = Scheme::kHttp;
  std::string host;          // a name or IPv4 address; IPv6 without its brackets
  uint16_t port = 80;        // the URL's, else the scheme's (80, 443)
  bool port_given = false;   // the URL named the port
  std::string target = "/";  // "/" when the URL has no path; with the query, without a fragment

  // The Host header's value: the host (IPv6 in brackets), with ":port" when the URL named it.
  std::string HostHeader() const;
};

// Accepts http://HOST[:PORT][/PATH][?QUERY][#FRAGMENT] and the same with https://. HOST is a
// name, an IPv4 address or [IPv6]; PORT is 1 to 65535. Refuses other schemes, user
// information, an empty host, a bad port and an unclosed [; the message quotes the URL and
// says what is wrong.
Result<Url> ParseHttpUrl(std::string_view url);

// ParseHttpUrl for callers that speak only plain HTTP: an https:// URL is refused with
// "URL \"...\": https is not supported yet".
Result<Url> ParsePlainHttpUrl(std::string_view url);

// The URL's host and port as a socket address. No DNS lookups: the host is an IPv4 address,
// an IPv6 address or "localhost".
Result<net::Endpoint> EndpointOf(const Url& url);

}  // namespace fourdollar::http
