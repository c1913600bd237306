// What a virtual user keeps of the pages it revalidates, as a browser's cache does: per URL,
// the ETag of the last full response and, when a step reads bodies, that body, so that a 304
// stands for the page it confirms.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fourdollar::load {

struct StoredPage {
  std::string url;  // the request target: "/12?format=markdown"
  std::string etag;
  int status = 200;
  bool has_body = false;  // stored from a step that reads bodies
  std::string body;
};

// Bounded: at most kMaxEntries URLs and kMaxBytes of URLs, tags and bodies; when full, the
// page stored longest ago is dropped (a page larger than kMaxBytes is not kept). Not
// thread-safe: one per VU, on its loop.
class ValidatorCache {
 public:
  static constexpr size_t kMaxEntries = 64;
  static constexpr size_t kMaxBytes = 256 << 10;

  // The page stored for `url`, or nullptr.
  const StoredPage* Find(std::string_view url) const;
  // Stores (or replaces) the page of `url`; `body` is kept only when `has_body`.
  void Store(std::string_view url, std::string_view etag, int status, bool has_body,
             std::string_view body);
  void Clear();
  size_t size() const { return pages_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  static size_t BytesOf(const StoredPage& page) {
    return page.url.size() + page.etag.size() + page.body.size();
  }
  // Oldest first; a handful, searched linearly. A vector, not a deque: an empty deque already
  // holds about 480 bytes, and most virtual users never store a page.
  std::vector<StoredPage> pages_;
  size_t bytes_ = 0;
};

}  // namespace fourdollar::load
