#include "blog/site.h"

#include <optional>
#include <utility>

#include "blog/pages.h"
#include "blog/post_id.h"
#include "blog/post_validation.h"

namespace fourdollar::blog {

namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";
constexpr size_t kEchoLimit = 40;

http::Response HtmlResponse(int status, PageCache::Page page) {
  http::Response response;
  response.status = status;
  response.content_type = kHtml;
  response.shared_body = std::move(page);
  return response;
}

// A store failure as the client should see it; internals stay out of the body.
http::Response StoreErrorResponse(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnavailable: {
      http::Response response = http::TextResponse(503, "the store is busy, try again");
      response.headers.push_back({"Retry-After", "1"});
      return response;
    }
    case ErrorCode::kResourceExhausted:
      return http::TextResponse(507, "the store is out of space");
    default:
      return http::TextResponse(500, "the store failed");
  }
}

http::Response GoneResponse() {
  http::Response response = http::TextResponse(503, "shutting down");
  response.close = true;
  return response;
}

http::Route MakeRoute(http::Method method, std::string pattern, std::string name,
                      http::Handler handler) {
  http::Route route;
  route.method = method;
  route.pattern = std::move(pattern);
  route.name = std::move(name);
  route.handler = std::move(handler);
  return route;
}

// Client text echoed in an error, cut short and limited to printable ASCII.
std::string Echo(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kEchoLimit)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  if (text.size() > kEchoLimit) out += "...";
  return out;
}

}  // namespace

struct Site::State : std::enable_shared_from_this<Site::State> {
  State(const Templates& templates, store::Store& store_ref,
        std::unique_ptr<store::StoreSession> session_ptr, size_t cache_bytes,
        std::function<std::string()> metrics)
      : pages(templates),
        store(store_ref),
        session(std::move(session_ptr)),
        cache(cache_bytes),
        metrics_text(std::move(metrics)),
        not_found(std::make_shared<const std::string>(pages.NotFound())) {}

  void List(const http::Request& request, http::Reply reply);
  void Post(std::string_view param, http::Reply reply);
  void Create(const http::Request& request, http::Reply reply);

  PageRenderer pages;
  store::Store& store;
  std::unique_ptr<store::StoreSession> session;
  PageCache cache;
  std::function<std::string()> metrics_text;
  const PageCache::Page not_found;
};

void Site::State::List(const http::Request& request, http::Reply reply) {
  std::optional<int64_t> before;
  if (std::string_view text; request.QueryParam("before", &text)) {
    before = ParsePostId(text);
    if (!before) {
      reply(http::TextResponse(400,
                               "before must be a post id (a whole number from 1 to "
                               "9223372036854775807, no leading zeros), got \"" +
                                   Echo(text) + "\""));
      return;
    }
  }
  // Read before the query: if a commit lands in between, the page is tagged older than its
  // content and is merely rendered again next time, never served stale.
  uint64_t generation = store.Generation();
  if (PageCache::Page page = cache.FindList(before.value_or(0), generation)) {
    reply(HtmlResponse(200, std::move(page)));
    return;
  }
  session->Latest(before, kPostsPerPage + 1,
                  [weak = weak_from_this(), before, generation,
                   reply = std::move(reply)](Result<store::PostList> posts) {
                    std::shared_ptr<State> self = weak.lock();
                    if (!self) return reply(GoneResponse());
                    if (!posts) return reply(StoreErrorResponse(posts.error()));
                    std::optional<int64_t> older;
                    if (posts->size() > static_cast<size_t>(kPostsPerPage)) {
                      posts->resize(kPostsPerPage);
                      older = posts->back().id;
                    }
                    auto page = std::make_shared<const std::string>(
                        self->pages.List(*posts, !before.has_value(), older));
                    self->cache.PutList(before.value_or(0), generation, page);
                    reply(HtmlResponse(200, std::move(page)));
                  });
}

void Site::State::Post(std::string_view param, http::Reply reply) {
  std::optional<int64_t> id = ParsePostId(param);
  if (!id) {
    reply(HtmlResponse(404, not_found));
    return;
  }
  if (PageCache::Page page = cache.FindPost(*id)) {
    reply(HtmlResponse(200, std::move(page)));
    return;
  }
  session->Get(*id, [weak = weak_from_this(), id = *id,
                     reply = std::move(reply)](Result<std::optional<store::Post>> post) {
    std::shared_ptr<State> self = weak.lock();
    if (!self) return reply(GoneResponse());
    if (!post) return reply(StoreErrorResponse(post.error()));
    // An unknown id is not cached: a post with that id may be stored later.
    if (!post->has_value()) return reply(HtmlResponse(404, self->not_found));
    auto page = std::make_shared<const std::string>(self->pages.Post(**post));
    self->cache.PutPost(id, page);
    reply(HtmlResponse(200, std::move(page)));
  });
}

void Site::State::Create(const http::Request& request, http::Reply reply) {
  Result<store::NewPost> post = ParseNewPost(request.body);
  if (!post) {
    reply(http::TextResponse(400, post.error().message));
    return;
  }
  // The answer needs nothing from the site, so it is sent even if the site is gone by then.
  session->Insert(std::move(*post), [reply = std::move(reply)](Result<store::Post> stored) {
    if (!stored) return reply(StoreErrorResponse(stored.error()));
    http::Response response = http::TextResponse(303, "stored as /" + std::to_string(stored->id));
    response.headers.push_back({"Location", "/"});
    reply(std::move(response));
  });
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
  router.Add(MakeRoute(http::Method::kGet, "/{id}", "post",
                       [state](const http::Request&, std::string_view param, http::Reply reply) {
                         state->Post(param, std::move(reply));
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
