#include "load/validator_cache.h"

#include <algorithm>

namespace fourdollar::load {

const StoredPage* ValidatorCache::Find(std::string_view url) const {
  auto it = std::find_if(pages_.begin(), pages_.end(),
                         [&](const StoredPage& page) { return page.url == url; });
  return it == pages_.end() ? nullptr : &*it;
}

void ValidatorCache::Store(std::string_view url, std::string_view etag, int status, bool has_body,
                           std::string_view body) {
  auto old = std::find_if(pages_.begin(), pages_.end(),
                          [&](const StoredPage& page) { return page.url == url; });
  if (old != pages_.end()) {
    bytes_ -= BytesOf(*old);
    pages_.erase(old);
  }
  StoredPage page{std::string(url), std::string(etag), status, has_body,
                  has_body ? std::string(body) : std::string()};
  const size_t page_bytes = BytesOf(page);
  if (page_bytes > kMaxBytes) return;
  while (!pages_.empty() && (pages_.size() >= kMaxEntries || bytes_ + page_bytes > kMaxBytes)) {
    bytes_ -= BytesOf(pages_.front());
    pages_.erase(pages_.begin());
  }
  bytes_ += page_bytes;
  pages_.push_back(std::move(page));
}

void ValidatorCache::Clear() {
  pages_.clear();
  bytes_ = 0;
}

}  // namespace fourdollar::load
