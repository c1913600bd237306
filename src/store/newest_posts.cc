#include "store/newest_posts.h"

#include <algorithm>
#include <utility>

namespace fourdollar::store {

namespace {

// `posts` (newest first, min(limit, all posts) of them) after the commit, or nullptr when the
// commit's changes cannot be followed from them alone (a listed post deleted while older ones
// exist beyond the list: which one moves up is not known).
std::shared_ptr<const PostList> Follow(const PostList& posts, size_t limit,
                                       std::span<const PendingWrite> writes,
                                       std::span<const Result<Post>> outcomes) {
  // Fewer than the limit: the list is every post there is.
  const bool complete = posts.size() < limit;
  auto next = std::make_shared<PostList>(posts);
  auto newest_first = [](const PostSummary& a, int64_t id) { return a.id > id; };
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i]) continue;
    const Post& post = *outcomes[i];
    auto at = std::lower_bound(next->begin(), next->end(), post.id, newest_first);
    const bool listed = at != next->end() && at->id == post.id;
    switch (writes[i].request.kind) {
      case WriteRequest::Kind::kInsert:
        // Ids are handed out in commit order, so a new post is normally the newest; one older
        // than a full list's last (another instance's newer posts heard of first) is not listed.
        if (!listed && (at != next->end() || complete || next->size() < limit)) {
          next->insert(at, PostSummary{post.id, post.created_unix_ms, post.title, 0});
        }
        break;
      case WriteRequest::Kind::kUpdate:
        if (listed) {
          at->title = post.title;
          at->updated_unix_ms = post.updated_unix_ms;
        }
        break;
      case WriteRequest::Kind::kDelete:
        if (listed) {
          if (!complete) return nullptr;
          next->erase(at);
        }
        break;
    }
  }
  if (next->size() > limit) next->resize(limit);
  return next;
}

}  // namespace

std::shared_ptr<const PostList> NewestPosts::Find(uint64_t generation, size_t limit) const {
  std::lock_guard lock(mutex_);
  if (!posts_ || generation != generation_.load(std::memory_order_relaxed)) return nullptr;
  if (limit_ < limit && posts_->size() >= limit_) return nullptr;  // holds fewer than asked
  return posts_;
}

void NewestPosts::Offer(uint64_t generation, size_t limit, std::shared_ptr<const PostList> posts) {
  std::lock_guard lock(mutex_);
  if (generation != generation_.load(std::memory_order_relaxed)) return;  // a commit came since
  // Two loop threads may offer for the same generation: the longer list serves both.
  if (posts_ && limit_ >= limit) return;
  posts_ = std::move(posts);
  limit_ = limit;
}

void NewestPosts::Commit(std::span<const PendingWrite> writes,
                         std::span<const Result<Post>> outcomes) {
  std::lock_guard lock(mutex_);
  if (posts_) posts_ = Follow(*posts_, limit_, writes, outcomes);
  generation_.fetch_add(1, std::memory_order_release);
}

void NewestPosts::BumpUnknown() {
  std::lock_guard lock(mutex_);
  posts_ = nullptr;
  generation_.fetch_add(1, std::memory_order_release);
}

}  // namespace fourdollar::store
