#include "blog/page_cache.h"

#include <utility>

namespace fourdollar::blog {

void WriteCacheMetrics(std::span<const CacheStats> caches, MetricsWriter& out) {
  CacheStats total;
  for (const CacheStats& cache : caches) {
    total.hits += cache.hits;
    total.misses += cache.misses;
    total.evictions += cache.evictions;
    total.bytes += cache.bytes;
    total.entries += cache.entries;
  }
  out.Single("fourdollar_page_cache_hits_total", "counter", "Rendered pages served from cache.",
             static_cast<double>(total.hits));
  out.Single("fourdollar_page_cache_misses_total", "counter",
             "Pages not in cache (or stale) that had to be rendered.",
             static_cast<double>(total.misses));
  out.Single("fourdollar_page_cache_evictions_total", "counter",
             "Pages dropped to stay within the cache budget.",
             static_cast<double>(total.evictions));
  out.Single("fourdollar_page_cache_bytes", "gauge", "Bytes charged to cached pages.",
             static_cast<double>(total.bytes));
  out.Single("fourdollar_page_cache_entries", "gauge", "Pages held in cache.",
             static_cast<double>(total.entries));
}

PageCache::PageCache(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

PageCache::Page PageCache::FindPost(int64_t key) { return Find(Key{false, key}, false, 0); }

void PageCache::PutPost(int64_t key, Page page) { Put(Key{false, key}, 0, std::move(page)); }

void PageCache::DropPost(int64_t key) {
  if (auto it = index_.find(Key{false, key}); it != index_.end()) {
    Erase(it);
    PublishSize();
  }
}

void PageCache::DropPosts() {
  for (auto it = lru_.begin(); it != lru_.end();) {
    Entry& entry = *it++;
    if (!entry.key.list) Erase(index_.find(entry.key));
  }
  PublishSize();
}

PageCache::Page PageCache::FindList(int64_t before_id, uint64_t generation) {
  return Find(Key{true, before_id}, true, generation);
}

void PageCache::PutList(int64_t before_id, uint64_t generation, Page page) {
  Put(Key{true, before_id}, generation, std::move(page));
}

CacheStats PageCache::Stats() const {
  return CacheStats{hits_.Get(), misses_.Get(), evictions_.Get(), bytes_.Get(), entries_.Get()};
}

PageCache::Page PageCache::Find(const Key& key, bool check_generation, uint64_t generation) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    misses_.Add();
    return nullptr;
  }
  if (check_generation && it->second->generation != generation) {
    // Stale for good: generations only move forward, so free its room now.
    Erase(it);
    PublishSize();
    misses_.Add();
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  hits_.Add();
  return it->second->page;
}

void PageCache::Put(const Key& key, uint64_t generation, Page page) {
  if (auto old = index_.find(key); old != index_.end()) Erase(old);
  size_t charge = page ? page->bytes() + kEntryOverheadBytes : 0;
  if (page && charge <= capacity_bytes_) {
    while (used_bytes_ + charge > capacity_bytes_) {
      Erase(index_.find(lru_.back().key));
      evictions_.Add();
    }
    lru_.push_front(Entry{key, generation, std::move(page), charge});
    index_.emplace(key, lru_.begin());
    used_bytes_ += charge;
  }
  PublishSize();
}

void PageCache::Erase(std::unordered_map<Key, Lru::iterator, KeyHash>::iterator it) {
  used_bytes_ -= it->second->charge_bytes;
  lru_.erase(it->second);
  index_.erase(it);
}

void PageCache::PublishSize() {
  bytes_.Set(used_bytes_);
  entries_.Set(index_.size());
}

}  // namespace fourdollar::blog
