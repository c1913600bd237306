// The site's write handlers: create, edit and delete posts. Each answers only once the store
// has made the change durable; the caches follow through the store's generations.
#include <optional>
#include <utility>

#include "blog/post_id.h"
#include "blog/post_validation.h"
#include "blog/site_state.h"
#include "http/conditional.h"

namespace fourdollar::blog {

namespace {

http::Response SeeOther(std::string location, std::string_view detail) {
  http::Response response = http::TextResponse(303, detail);
  response.headers.push_back({"Location", std::move(location)});
  return response;
}

http::Response UnknownId(std::string_view param) {
  return http::TextResponse(404, "no post has the id \"" + Echo(param) + "\"");
}

}  // namespace

void Site::State::Create(const http::Request& request, http::Reply reply) {
  Result<store::NewPost> post = ParseNewPost(request.body);
  if (!post) {
    reply(http::TextResponse(400, post.error().message));
    return;
  }
  // The answer needs nothing from the site, so it is sent even if the site is gone by then.
  // Location stays "/" (a browser form lands on the list); Content-Location names the post.
  // The stored post is kept for its first reader on this thread (FreshPosts).
  const uint64_t edits_before = store.EditGeneration();
  session->Insert(std::move(*post), [weak = weak_from_this(), edits_before,
                                     reply = std::move(reply)](Result<store::Post> stored) {
    if (!stored) return reply(StoreErrorResponse(stored.error()));
    const std::string path = "/" + std::to_string(stored->id);
    http::Response response = SeeOther("/", "stored as " + path);
    response.headers.push_back({"Content-Location", path});
    if (std::shared_ptr<State> self = weak.lock()) {
      self->fresh_posts.Keep(std::move(*stored), edits_before);
    }
    reply(std::move(response));
  });
}

void Site::State::Update(const http::Request& request, std::string_view param, http::Reply reply) {
  std::optional<int64_t> id = ParsePostId(param);
  if (!id) return reply(UnknownId(param));
  Result<store::NewPost> post = ParseNewPost(request.body);
  if (!post) return reply(http::TextResponse(400, post.error().message));

  auto submit = [weak = weak_from_this(), id = *id, post = std::move(*post),
                 reply](std::optional<int64_t> revision) mutable {
    std::shared_ptr<State> self = weak.lock();
    if (!self) return reply(ShuttingDownResponse());
    self->session->Update(id, std::move(post), revision,
                          [id, reply = std::move(reply)](Result<store::Post> stored) {
                            if (!stored) return reply(StoreErrorResponse(stored.error()));
                            const std::string path = "/" + std::to_string(id);
                            reply(SeeOther(path, "updated " + path));
                          });
  };
  std::string if_match(request.HeaderValue("If-Match"));
  if (if_match.empty()) return submit(std::nullopt);
  // The tag names the page the editor saw. It is checked here against the current page, and
  // the revision of that page goes with the edit, so the writer refuses it if another edit
  // commits in between: two editors cannot overwrite each other.
  LoadPostPage(*id, PostFormat::kHtml,
               [id = *id, if_match = std::move(if_match), submit = std::move(submit),
                reply](Result<PagePtr> page) mutable {
                 if (!page) return reply(StoreErrorResponse(page.error()));
                 const std::string which = "post " + std::to_string(id);
                 if (!*page) return reply(http::TextResponse(404, which + " does not exist"));
                 if ((*page)->status == 410)
                   return reply(http::TextResponse(410, which + " was deleted"));
                 if (!http::IfMatchMatches(if_match, (*page)->etag)) {
                   http::Response response =
                       http::TextResponse(412, which + " changed since it was read: If-Match \"" +
                                                   Echo(if_match) + "\" is not its current ETag");
                   response.headers.push_back({"ETag", (*page)->etag});
                   return reply(std::move(response));
                 }
                 submit((*page)->revision);
               });
}

void Site::State::Delete(std::string_view param, http::Reply reply) {
  std::optional<int64_t> id = ParsePostId(param);
  if (!id) return reply(UnknownId(param));
  session->Delete(*id, [reply = std::move(reply)](Result<store::Post> stored) {
    if (!stored) return reply(StoreErrorResponse(stored.error()));
    http::Response response;
    response.status = 204;
    reply(std::move(response));
  });
}

}  // namespace fourdollar::blog
