#include "blog/site.h"

#include <utility>

#include "blog/site_state.h"

namespace fourdollar::blog {

namespace {

constexpr std::string_view kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";
constexpr size_t kEchoLimit = 40;

http::Route MakeRoute(http::Method method, std::string pattern, std::string name,
                      http::Handler handler) {
  http::Route route;
  route.method = method;
  route.pattern = std::move(pattern);
  route.name = std::move(name);
  route.handler = std::move(handler);
  return route;
}

}  // namespace

http::Response StoreErrorResponse(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnavailable: {
      http::Response response = http::TextResponse(503, "the store is busy, try again");
      response.headers.push_back({"Retry-After", "1"});
      return response;
    }
    case ErrorCode::kResourceExhausted:
      return http::TextResponse(507, "the store is out of space");
    case ErrorCode::kNotFound:
      return http::TextResponse(404, error.message);
    case ErrorCode::kGone:
      return http::TextResponse(410, error.message);
    case ErrorCode::kFailedPrecondition:
      return http::TextResponse(412, error.message);
    default:
      return http::TextResponse(500, "the store failed");
  }
}

http::Response ShuttingDownResponse() {
  http::Response response = http::TextResponse(503, "shutting down");
  response.close = true;
  return response;
}

std::string Echo(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kEchoLimit)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  if (text.size() > kEchoLimit) out += "...";
  return out;
}

Site::Site(SiteOptions options, const Templates& templates, store::Store& store,
           std::unique_ptr<store::StoreSession> session, std::function<std::string()> metrics_text)
    : options_(options),
      state_(std::make_shared<State>(templates, store, std::move(session), options.cache_bytes,
                                     std::move(metrics_text))) {}

Site::~Site() = default;

CacheStats Site::cache_stats() const { return state_->cache.Stats(); }

void Site::AddRoutes(http::Router& router) {
  State* state = state_.get();
  router.Add(MakeRoute(http::Method::kGet, "/", "list",
                       [state](const http::Request& request, std::string_view, http::Reply reply) {
                         state->List(request, std::move(reply));
                       }));
  router.Add(
      MakeRoute(http::Method::kGet, "/{id}", "post",
                [state](const http::Request& request, std::string_view param, http::Reply reply) {
                  state->Post(request, param, std::move(reply));
                }));
  http::Route create =
      MakeRoute(http::Method::kPost, "/", "create",
                [state](const http::Request& request, std::string_view, http::Reply reply) {
                  state->Create(request, std::move(reply));
                });
  create.body_limit_bytes = kCreateBodyLimitBytes;
  create.media_type = "application/json";
  create.requires_write_token = options_.writes_need_token;
  router.Add(std::move(create));
  http::Route update =
      MakeRoute(http::Method::kPut, "/{id}", "update",
                [state](const http::Request& request, std::string_view param, http::Reply reply) {
                  state->Update(request, param, std::move(reply));
                });
  update.body_limit_bytes = kCreateBodyLimitBytes;
  update.media_type = "application/json";
  update.requires_write_token = options_.writes_need_token;
  router.Add(std::move(update));
  http::Route remove =
      MakeRoute(http::Method::kDelete, "/{id}", "delete",
                [state](const http::Request&, std::string_view param, http::Reply reply) {
                  state->Delete(param, std::move(reply));
                });
  remove.requires_write_token = options_.writes_need_token;
  router.Add(std::move(remove));
  router.Add(MakeRoute(http::Method::kGet, "/feed.xml", "feed",
                       [state](const http::Request& request, std::string_view, http::Reply reply) {
                         state->Feed(request, std::move(reply));
                       }));
  router.Add(MakeRoute(http::Method::kGet, "/style.css", "style",
                       [state](const http::Request& request, std::string_view, http::Reply reply) {
                         reply(PageResponse(ConditionsView::Of(request), state->style));
                       }));
  router.Add(MakeRoute(http::Method::kGet, "/healthz", "healthz",
                       [](const http::Request&, std::string_view, http::Reply reply) {
                         http::Response response;
                         response.body = "ok\n";
                         reply(std::move(response));
                       }));
  router.Add(MakeRoute(http::Method::kGet, "/metrics", "metrics",
                       [state](const http::Request&, std::string_view, http::Reply reply) {
                         http::Response response;
                         response.content_type = kPrometheusText;
                         if (state->metrics_text) response.body = state->metrics_text();
                         reply(std::move(response));
                       }));
}

}  // namespace fourdollar::blog
