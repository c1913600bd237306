#include "serve/https_redirect.h"

#include <string>
#include <string_view>

namespace fourdollar::serve {

namespace {

// The host of a Host header value without its port, or "" when it is not a plain host name,
// IPv4 address or [IPv6] literal (nothing that could change the Location's meaning).
std::string_view HostOnly(std::string_view host) {
  if (host.starts_with('[')) {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return {};
    const std::string_view literal = host.substr(0, close + 1);
    if (literal.find_first_not_of("[]0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return {};
    }
    return literal;
  }
  host = host.substr(0, host.find(':'));
  if (host.empty() || host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789.-") != std::string_view::npos) {
    return {};
  }
  return host;
}

}  // namespace

http::Route HttpsRedirectRoute(uint16_t https_port) {
  http::Route route;
  route.name = "https_redirect";
  route.pattern = "/";
  route.body_limit_bytes = 1 << 20;  // a POST is redirected too; its body is read and dropped
  route.handler = [https_port](const http::Request& request, std::string_view, http::Reply reply) {
    const std::string_view host = HostOnly(request.HeaderValue("Host"));
    if (host.empty()) {
      reply(http::TextResponse(400,
                               "a Host header naming the site is needed to redirect to "
                               "https"));
      return;
    }
    std::string location = "https://" + std::string(host);
    if (https_port != 443) location += ":" + std::to_string(https_port);
    location += request.target.empty() ? "/" : request.target;
    http::Response response = http::TextResponse(308, "this site is served over https");
    response.headers.push_back({"Location", std::move(location)});
    reply(std::move(response));
  };
  return route;
}

}  // namespace fourdollar::serve
