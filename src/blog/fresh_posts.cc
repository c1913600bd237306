#include "blog/fresh_posts.h"

#include <algorithm>
#include <utility>

namespace fourdollar::blog {

void FreshPosts::Keep(store::Post post, uint64_t edits_before) {
  const size_t bytes =
      post.title.size() + post.body.size() + (post.body_html ? post.body_html->size() : 0);
  if (bytes > kMaxBytes) return;
  while (!entries_.empty() && (entries_.size() >= kMaxPosts || bytes_ + bytes > kMaxBytes)) {
    bytes_ -= entries_.front().bytes;
    entries_.pop_front();
  }
  bytes_ += bytes;
  entries_.push_back(Entry{std::move(post), edits_before, bytes});
}

const FreshPosts::Entry* FreshPosts::Find(int64_t id) const {
  // Newest first: the post read is most often one of the last few stored.
  auto it = std::find_if(entries_.rbegin(), entries_.rend(),
                         [id](const Entry& entry) { return entry.post.id == id; });
  return it == entries_.rend() ? nullptr : &*it;
}

void FreshPosts::Forget(int64_t id) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [id](const Entry& entry) { return entry.post.id == id; });
  if (it == entries_.end()) return;
  bytes_ -= it->bytes;
  entries_.erase(it);
}

}  // namespace fourdollar::blog
