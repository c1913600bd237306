// The rendered pages one event-loop thread keeps: post pages, dropped one by one when their post
// is edited or deleted, and list pages tagged with the store's generation at the time they were
// rendered. Least recently used pages go first when the total size passes the budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "base/metrics.h"
#include "blog/rendered_page.h"

namespace fourdollar::blog {

// A point-in-time copy of a cache's figures.
struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;  // pages dropped to make room (not stale list pages replaced)
  uint64_t bytes = 0;      // charged size of the pages held
  uint64_t entries = 0;
};

// Writes the figures of all caches (one per thread), summed, as fourdollar_page_cache_* metrics.
void WriteCacheMetrics(std::span<const CacheStats> caches, MetricsWriter& out);

// Not thread-safe: used by its loop thread only, except Stats(), which any thread may call.
// Pages are shared (std::shared_ptr<const RenderedPage>), never copied.
class PageCache {
 public:
  using Page = PagePtr;

  // Each page is charged its size plus kEntryOverheadBytes; a page larger than the whole budget
  // is not kept. capacity_bytes == 0 disables the cache.
  static constexpr size_t kEntryOverheadBytes = 128;
  explicit PageCache(size_t capacity_bytes);
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // Post pages, under a key the caller chooses per post (and format). They stay until dropped
  // (the post changed) or evicted.
  Page FindPost(int64_t key);
  void PutPost(int64_t key, Page page);
  // Drops the page under `key`, if any; not counted as an eviction.
  void DropPost(int64_t key);
  // Drops every post page (not list pages).
  void DropPosts();

  // List pages: `before_id` is 0 for "/" and N for "/?before=N". A page found with another
  // generation than `generation` is stale: dropped, and a miss.
  Page FindList(int64_t before_id, uint64_t generation);
  void PutList(int64_t before_id, uint64_t generation, Page page);

  CacheStats Stats() const;
  size_t capacity_bytes() const { return capacity_bytes_; }

 private:
  struct Key {
    bool list = false;
    int64_t id = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      return std::hash<int64_t>()(key.id) ^ (key.list ? 0x9e3779b97f4a7c15u : 0u);
    }
  };
  struct Entry {
    Key key;
    uint64_t generation = 0;
    Page page;
    size_t charge_bytes = 0;
  };
  using Lru = std::list<Entry>;  // most recently used first

  Page Find(const Key& key, bool check_generation, uint64_t generation);
  void Put(const Key& key, uint64_t generation, Page page);
  void Erase(std::unordered_map<Key, Lru::iterator, KeyHash>::iterator it);
  void PublishSize();

  const size_t capacity_bytes_;
  size_t used_bytes_ = 0;
  Lru lru_;
  std::unordered_map<Key, Lru::iterator, KeyHash> index_;
  SingleWriterCounter hits_;
  SingleWriterCounter misses_;
  SingleWriterCounter evictions_;
  SingleWriterCounter bytes_;
  SingleWriterCounter entries_;
};

}  // namespace fourdollar::blog
