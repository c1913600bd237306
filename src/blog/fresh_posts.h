// The posts one loop thread stored lately, kept as the store returned them at their commit until
// their page is first read: the readers who open a new post right after it was written (the
// seed's readers open one of the ten newest) get its page without a store read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "store/store.h"

namespace fourdollar::blog {

// Not thread-safe: used by its loop thread only. Bounded: the kMaxPosts newest, kMaxBytes of
// titles and bodies in all; a post larger than that alone is not kept. The oldest go first.
class FreshPosts {
 public:
  static constexpr size_t kMaxPosts = 32;
  static constexpr size_t kMaxBytes = 512u << 10;

  struct Entry {
    store::Post post;
    // The store's edit generation read before the post was queued: an edit or delete of it
    // can only commit after its insert, so one since this generation is one since the commit.
    uint64_t edits_before = 0;
    size_t bytes = 0;
  };

  void Keep(store::Post post, uint64_t edits_before);
  // The post kept under `id`, or nullptr; valid until the next Keep or Forget.
  const Entry* Find(int64_t id) const;
  void Forget(int64_t id);

  size_t size() const { return entries_.size(); }

 private:
  std::deque<Entry> entries_;  // oldest first
  size_t bytes_ = 0;
};

}  // namespace fourdollar::blog
