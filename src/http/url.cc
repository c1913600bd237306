#include "http/url.h"

#include <algorithm>
#include <charconv>

namespace fourdollar::http {

namespace {

tl::unexpected<Error> Invalid(std::string_view url, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "URL \"" + std::string(url) + "\": " + std::string(what));
}

// "/a?b#c" -> "/a?b"; "" -> "/"; "?q" -> "/?q".
std::string TargetOf(std::string_view rest) {
  std::string target = rest.empty() ? "/" : std::string(rest);
  if (target[0] != '/') target.insert(0, 1, '/');
  if (const size_t hash = target.find('#'); hash != std::string::npos) target.resize(hash);
  return target;
}

// Fills host and port from "host", "host:port", "[v6]" or "[v6]:port"; false with `why` set
// when it cannot.
bool ReadAuthority(std::string_view authority, Url* url, std::string_view* why) {
  if (authority.find('@') != std::string_view::npos) {
    *why = "user information in URLs is not supported";
    return false;
  }
  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      *why = "unclosed [ in the host";
      return false;
    }
    url->host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      *why = "unexpected text after the host";
      return false;
    }
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
  } else {
    const size_t colon = authority.find(':');
    url->host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = authority.substr(colon + 1);
  }
  if (url->host.empty()) {
    *why = "no host";
    return false;
  }
  if (!has_port) return true;
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    *why = "the port must be a number from 1 to 65535";
    return false;
  }
  url->port = static_cast<uint16_t>(port);
  url->port_given = true;
  return true;
}

}  // namespace

std::string Url::HostHeader() const {
  std::string header = host.find(':') == std::string::npos ? host : "[" + host + "]";
  if (port_given) header += ":" + std::to_string(port);
  return header;
}

Result<Url> ParseHttpUrl(std::string_view url) {
  Url result;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    result.scheme = Url::Scheme::kHttps;
    result.port = 443;
    rest = url.substr(8);
  } else {
    return Invalid(url, "expected http://HOST[:PORT][/PATH]");
  }
  const size_t path_at = std::min(rest.find_first_of("/?#"), rest.size());
  result.target = TargetOf(rest.substr(path_at));
  std::string_view why;
  if (!ReadAuthority(rest.substr(0, path_at), &result, &why)) return Invalid(url, why);
  return result;
}

Result<Url> ParsePlainHttpUrl(std::string_view url) {
  Result<Url> parsed = ParseHttpUrl(url);
  if (parsed && parsed->scheme == Url::Scheme::kHttps) {
    return Invalid(url, "https is not supported yet");
  }
  return parsed;
}

Result<net::Endpoint> EndpointOf(const Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return net::ParseEndpoint((v6 ? "[" + url.host + "]" : url.host) + ":" +
                            std::to_string(url.port));
}

}  // namespace fourdollar::http
