// Routes are data: one table of method, path pattern, handler and limits. The checks every route
// shares (not found, method not allowed, write token, media type, body size) run once, on the
// request head, before the body is read and before dispatch.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/message.h"

namespace fourdollar::http {

// Sends the response for one request. Call exactly once, on the loop thread that called the
// handler, now or later (after a store write completes). Calling it after the connection closed
// is harmless.
using Reply = std::function<void(Response)>;

// A handler is a plain function from request to response; it never sees a socket.
// `param` is the text matched by "{param}" in the pattern ("" when the pattern has none).
using Handler = std::function<void(const Request& request, std::string_view param, Reply reply)>;

struct Route {
  Method method = Method::kGet;
  // An exact path ("/", "/healthz") or a prefix followed by one parameter segment ("/{id}").
  std::string pattern;
  // The label for metrics: a low-cardinality name ("list", "post", "create").
  std::string name;
  Handler handler;
  size_t body_limit_bytes = 0;        // larger bodies get 413 before they are read
  std::string_view media_type;        // when set, other Content-Types get 415 ("application/json")
  bool requires_write_token = false;  // when set and the router has a token, 401 without it
};

// The outcome of checking a request head.
struct RouteMatch {
  const Route* route = nullptr;  // set when the request may proceed
  std::string param;
  size_t route_index = 0;
  std::optional<Response> refusal;  // set instead when it may not (404, 405, 401, 415, 413)
};

// The head of a request, as the parser knows it before the body.
struct RequestHead {
  Method method = Method::kGet;
  std::string_view path;
  std::string_view content_type;
  std::string_view authorization;
  std::optional<uint64_t> content_length;  // nullopt with chunked bodies
};

class Router {
 public:
  // `write_token`: the bearer token that routes with requires_write_token demand; std::nullopt
  // lets anyone write.
  explicit Router(std::optional<std::string> write_token);

  void Add(Route route);

  // Matches and runs the shared checks. HEAD matches GET routes.
  RouteMatch Check(const RequestHead& head) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::optional<std::string> write_token_;
  std::vector<Route> routes_;
};

// Compares in time that depends only on the lengths, not on where the strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace fourdollar::http
