// A store's content generation, and beside it the newest posts as of that generation when they
// are known without a query: a reader's query result offered back, then carried forward by each
// commit of this instance (its new posts put in their place, its edits applied). The front page
// is then made again after a commit from memory, not from a query run on every loop thread.
//
// Threading: thread-safe. Generation() is one atomic load. Find, Offer, Commit and BumpUnknown
// take a mutex: once per commit, and once per loop thread and generation for a page that is
// not cached.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "base/result.h"
#include "store/store.h"
#include "store/write_queue.h"

namespace fourdollar::store {

class NewestPosts {
 public:
  NewestPosts() = default;
  NewestPosts(const NewestPosts&) = delete;
  NewestPosts& operator=(const NewestPosts&) = delete;

  // Store::Generation.
  uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }

  // The newest posts, newest first, as of `generation`: at least `limit` of them, or every
  // post when there are fewer. nullptr when not known for that generation (the caller queries).
  std::shared_ptr<const PostList> Find(uint64_t generation, size_t limit) const;

  // What a query for the `limit` newest posts read at `generation` (taken before the query
  // ran): kept for Find while no commit has come since, and carried forward by this instance's
  // commits from then on.
  void Offer(uint64_t generation, size_t limit, std::shared_ptr<const PostList> posts);

  // A commit of this instance: `outcomes[i]` is what `writes[i]` did (an error: nothing). Bumps
  // the generation; the newest posts follow the commit if they were current before it. Call
  // before any write of the commit is acknowledged.
  void Commit(std::span<const PendingWrite> writes, std::span<const Result<Post>> outcomes);

  // Content changed in a way this instance cannot follow (another instance's commit, a commit
  // in doubt): bumps the generation and forgets the newest posts until the next Offer.
  void BumpUnknown();

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const PostList> posts_;  // current at generation_ when set
  size_t limit_ = 0;                       // posts_ holds min(limit_, all posts)
  std::atomic<uint64_t> generation_{0};    // changed only with mutex_ held
};

}  // namespace fourdollar::store
