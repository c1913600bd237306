#include "http/router.h"

#include <string>

namespace fourdollar::http {

namespace {

// Splits "/{id}" into the literal prefix "/" and whether a parameter follows.
bool SplitPattern(std::string_view pattern, std::string_view* prefix) {
  size_t brace = pattern.find('{');
  if (brace == std::string_view::npos) {
    *prefix = pattern;
    return false;
  }
  *prefix = pattern.substr(0, brace);
  return true;
}

bool PathMatches(const Route& route, std::string_view path, std::string* param) {
  std::string_view prefix;
  if (!SplitPattern(route.pattern, &prefix)) return path == prefix;
  if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = path.substr(prefix.size());
  if (rest.find('/') != std::string_view::npos) return false;  // one segment only
  param->assign(rest);
  return true;
}

std::string_view MediaTypeOf(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return type;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

Router::Router(std::optional<std::string> write_token) : write_token_(std::move(write_token)) {}

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

RouteMatch Router::Check(const RequestHead& head) const {
  RouteMatch match;
  Method method = head.method == Method::kHead ? Method::kGet : head.method;
  std::string allow;
  std::string param;
  // Exact patterns win over parameter patterns, whatever their order in the table.
  for (int pass = 0; pass < 2 && match.route == nullptr; ++pass) {
    for (size_t i = 0; i < routes_.size(); ++i) {
      const Route& route = routes_[i];
      std::string_view prefix;
      bool has_param = SplitPattern(route.pattern, &prefix);
      if (has_param != (pass == 1)) continue;
      if (!PathMatches(route, head.path, &param)) continue;
      if (route.method == method) {
        match.route = &route;
        match.route_index = i;
        match.param = param;
        break;
      }
      if (!allow.empty()) allow += ", ";
      allow += MethodName(route.method);
      if (route.method == Method::kGet) allow += ", HEAD";
    }
    if (!allow.empty() && match.route == nullptr) break;  // path known, method not
  }
  if (match.route == nullptr) {
    if (allow.empty()) {
      match.refusal = TextResponse(404, "no such page");
    } else {
      Response response = TextResponse(405, "this path allows " + allow);
      response.headers.push_back({"Allow", allow});
      match.refusal = std::move(response);
    }
    return match;
  }
  const Route& route = *match.route;
  if (route.requires_write_token && write_token_) {
    std::string_view auth = head.authorization;
    constexpr std::string_view kBearer = "Bearer ";
    bool ok = auth.size() > kBearer.size() && EqualsIgnoreCase(auth.substr(0, 7), kBearer) &&
              ConstantTimeEquals(auth.substr(kBearer.size()), *write_token_);
    if (!ok) {
      Response response = TextResponse(
          401, auth.empty() ? "missing Authorization: Bearer <write token>" : "wrong write token");
      response.headers.push_back({"WWW-Authenticate", "Bearer realm=\"fourdollar\""});
      match.route = nullptr;
      match.refusal = std::move(response);
      return match;
    }
  }
  if (!route.media_type.empty() &&
      !EqualsIgnoreCase(MediaTypeOf(head.content_type), route.media_type)) {
    match.route = nullptr;
    match.refusal =
        TextResponse(415, "Content-Type must be " + std::string(route.media_type) + ", got \"" +
                              std::string(head.content_type.substr(0, 100)) + "\"");
    return match;
  }
  if (head.content_length && *head.content_length > route.body_limit_bytes) {
    match.route = nullptr;
    match.refusal = TextResponse(413, "body of " + std::to_string(*head.content_length) +
                                          " bytes is over the limit of " +
                                          std::to_string(route.body_limit_bytes));
    return match;
  }
  return match;
}

}  // namespace fourdollar::http
