// The site's read handlers: the list of posts and one post's page, from the cache when it holds
// a current copy, else rendered from the store and kept.
#include <algorithm>
#include <optional>
#include <span>
#include <utility>

#include "blog/default_templates.h"
#include "blog/feed.h"
#include "blog/post_id.h"
#include "blog/site_state.h"

namespace fourdollar::blog {

namespace {

int64_t Seconds(int64_t unix_ms) { return unix_ms / 1000; }

}  // namespace

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
  // content and is merely rendered again next time, never served stale. The time of the change
  // read after it covers that generation.
  uint64_t generation = store.Generation();
  const int64_t changed_unix_ms = store.ChangedUnixMs();
  if (PagePtr page = cache.FindList(before.value_or(0), generation)) {
    reply(PageResponse(ConditionsView::Of(request), page));
    return;
  }
  auto render = [weak = weak_from_this(), before, generation, changed_unix_ms,
                 conditions = Conditions::Of(request),
                 reply = std::move(reply)](Result<std::shared_ptr<const store::PostList>> read) {
    std::shared_ptr<State> self = weak.lock();
    if (!self) return reply(ShuttingDownResponse());
    if (!read) return reply(StoreErrorResponse(read.error()));
    std::span<const store::PostSummary> posts(**read);
    std::optional<int64_t> older;
    if (posts.size() > static_cast<size_t>(kPostsPerPage)) {
      posts = posts.first(kPostsPerPage);
      older = posts.back().id;
    }
    // The list changes with any post, shown or not (an older one deleted shifts it): its time
    // is that of the store's last change, the same on every loop thread (a time of rendering
    // would differ between two threads' copies).
    PagePtr page = MakePage(200, self->pages.List(posts, !before.has_value(), older),
                            Seconds(changed_unix_ms));
    self->cache.PutList(before.value_or(0), generation, page);
    reply(PageResponse(conditions, page));
  };
  if (!before) return Newest(generation, kPostsPerPage + 1, std::move(render));
  session->Latest(before, kPostsPerPage + 1, [render = std::move(render)](auto posts) mutable {
    if (!posts) return render(tl::unexpected(posts.error()));
    render(std::make_shared<const store::PostList>(std::move(*posts)));
  });
}

void Site::State::Newest(uint64_t generation, size_t limit,
                         std::function<void(Result<std::shared_ptr<const store::PostList>>)> done) {
  if (auto known = store.Newest(generation, limit)) return done(std::move(known));
  session->Latest(std::nullopt, static_cast<int>(limit),
                  [weak = weak_from_this(), generation, limit,
                   done = std::move(done)](Result<store::PostList> posts) {
                    std::shared_ptr<State> self = weak.lock();
                    if (!self) return done(MakeError(ErrorCode::kUnavailable, "shutting down"));
                    if (!posts) return done(tl::unexpected(posts.error()));
                    auto shared = std::make_shared<const store::PostList>(std::move(*posts));
                    self->store.OfferNewest(generation, limit, shared);
                    done(std::move(shared));
                  });
}

void Site::State::Feed(const http::Request& request, http::Reply reply) {
  // Kept like a list page, under a key no list page uses.
  constexpr int64_t kFeedKey = -1;
  uint64_t generation = store.Generation();
  const int64_t changed_unix_ms = store.ChangedUnixMs();
  if (PagePtr page = cache.FindList(kFeedKey, generation)) {
    reply(PageResponse(ConditionsView::Of(request), page));
    return;
  }
  Newest(
      generation, kFeedEntries,
      [weak = weak_from_this(), generation, changed_unix_ms, conditions = Conditions::Of(request),
       reply = std::move(reply)](Result<std::shared_ptr<const store::PostList>> posts) {
        std::shared_ptr<State> self = weak.lock();
        if (!self) return reply(ShuttingDownResponse());
        if (!posts) return reply(StoreErrorResponse(posts.error()));
        std::span<const store::PostSummary> entries(**posts);
        PagePtr page = MakePage(
            200, RenderAtomFeed(entries.first(std::min<size_t>(entries.size(), kFeedEntries))),
            Seconds(changed_unix_ms), 0, "application/atom+xml; charset=utf-8");
        self->cache.PutList(kFeedKey, generation, page);
        reply(PageResponse(conditions, page));
      });
}

PagePtr Site::State::MakeStylePage() {
  // The same bytes for the life of the binary: browsers keep them a day, then revalidate.
  return MakePage(200, std::string(kStyleSheet), 0, 0, "text/css; charset=utf-8",
                  "public, max-age=86400");
}

void Site::State::Post(const http::Request& request, std::string_view param, http::Reply reply) {
  PostFormat format = PostFormat::kHtml;
  if (std::string_view text; request.QueryParam("format", &text)) {
    if (text != "markdown") {
      reply(http::TextResponse(
          400,
          "format must be markdown (or absent for the HTML page), got \"" + Echo(text) + "\""));
      return;
    }
    format = PostFormat::kMarkdown;
  }
  std::optional<int64_t> id = ParsePostId(param);
  if (!id) {
    reply(PageResponse(ConditionsView::Of(request), not_found));
    return;
  }
  LoadPostPage(*id, format,
               [conditions = Conditions::Of(request), reply = std::move(reply),
                not_found = not_found](Result<PagePtr> page) {
                 if (!page) return reply(StoreErrorResponse(page.error()));
                 reply(PageResponse(conditions, *page ? *page : not_found));
               });
}

void Site::State::FollowEdits() {
  if (store.EditGeneration() == followed_edits) return;
  store::EditLog::Changes changes = store.EditedSince(followed_edits);
  if (!changes.ids) {
    cache.DropPosts();
  } else {
    // A post's Markdown source is kept beside its page, under the negated id.
    for (int64_t id : *changes.ids) {
      cache.DropPost(id);
      cache.DropPost(-id);
    }
  }
  followed_edits = changes.generation;
}

bool Site::State::UnchangedSince(int64_t id, uint64_t since) const {
  if (store.EditGeneration() == since) return true;
  store::EditLog::Changes changes = store.EditedSince(since);
  return changes.ids &&
         std::find(changes.ids->begin(), changes.ids->end(), id) == changes.ids->end();
}

void Site::State::LoadPostPage(int64_t id, PostFormat format,
                               std::function<void(Result<PagePtr>)> done) {
  // The edits followed before the query: if one of this post commits in between, the page read
  // may be older than it and is then not kept (UnchangedSince), never served stale from cache.
  // A post's Markdown source is kept beside its page, under the negated id (ids start at 1).
  FollowEdits();
  const uint64_t edit_generation = followed_edits;
  int64_t key = format == PostFormat::kMarkdown ? -id : id;
  if (PagePtr page = cache.FindPost(key)) {
    done(std::move(page));
    return;
  }
  // A post stored through this thread: its page is made from the copy the writer returned
  // unless an edit or delete of it committed since.
  if (const FreshPosts::Entry* fresh = fresh_posts.Find(id)) {
    if (UnchangedSince(id, fresh->edits_before)) {
      PagePtr page = PostPage(fresh->post, format);
      cache.PutPost(key, page);
      done(std::move(page));
      return;
    }
    fresh_posts.Forget(id);
  }
  session->Get(id, [weak = weak_from_this(), id, key, format, edit_generation,
                    done = std::move(done)](Result<std::optional<store::Post>> post) {
    std::shared_ptr<State> self = weak.lock();
    if (!self) return done(MakeError(ErrorCode::kUnavailable, "shutting down"));
    if (!post) return done(tl::unexpected(post.error()));
    // An unknown id is not cached: a post with that id may be stored later.
    if (!post->has_value()) return done(PagePtr());
    PagePtr page = self->PostPage(**post, format);
    if (self->UnchangedSince(id, edit_generation)) self->cache.PutPost(key, page);
    done(std::move(page));
  });
}

PagePtr Site::State::PostPage(const store::Post& post, PostFormat format) {
  if (post.deleted) {
    return MakePage(410, pages.Gone(post.id), Seconds(post.updated_unix_ms), post.revision);
  }
  int64_t modified = Seconds(std::max(post.created_unix_ms, post.updated_unix_ms));
  if (format == PostFormat::kMarkdown) {
    return MakePage(200, post.body, modified, post.revision, "text/markdown; charset=utf-8");
  }
  return MakePage(200, pages.Post(post), modified, post.revision);
}

}  // namespace fourdollar::blog
