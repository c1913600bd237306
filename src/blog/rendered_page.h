// A page rendered once and served many times: its bytes, its validators (strong ETag,
// Last-Modified) and what the conditional checks of a request need.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "http/message.h"

namespace fourdollar::blog {

struct RenderedPage {
  int status = 200;  // 200, or 410 for a deleted post's page
  std::string html;
  std::string etag;  // http::StrongEtag(html); the compressed copies' tags end -gzip" and -br"
  std::string etag_gzip;
  std::string etag_br;
  int64_t last_modified_unix_s = 0;
  std::string last_modified;  // as an HTTP date
  int64_t revision = 0;       // post pages: the post's revision, for If-Match on PUT
  std::string_view content_type = "text/html; charset=utf-8";  // a literal
  std::string_view cache_control = "no-cache";                 // a literal
  // The header lines of the page's answers, made with the page: per coding (identity, gzip,
  // br), those of a 304 (validators, Vary, Cache-Control) and those of the full answer (the
  // same, with Content-Encoding), so that an answer copies no header.
  struct Heads {
    std::string not_modified;
    std::string full;
  };
  Heads heads[3];

  // What a cache charges for the page: the HTML, the compressed copies in advance at half its
  // size (HTML text compresses to well under a quarter with either coding), the header lines.
  size_t bytes() const {
    size_t head_bytes = 0;
    for (const Heads& head : heads) head_bytes += head.not_modified.size() + head.full.size();
    return html.size() + (status == 200 ? html.size() / 2 : 0) + head_bytes;
  }

  // The compressed copies, each made by the first request that prefers it (a list page
  // replaced at every commit is often never asked for one); "" when no smaller than html.
  // Thread-safe.
  const std::string& gzip() const;
  const std::string& br() const;

 private:
  mutable std::once_flag gzipped_;
  mutable std::once_flag brotlied_;
  mutable std::string gzip_;
  mutable std::string br_;
};

using PagePtr = std::shared_ptr<const RenderedPage>;

// Builds the page and its validators. Pure; thread-safe.
PagePtr MakePage(int status, std::string html, int64_t last_modified_unix_s, int64_t revision = 0,
                 std::string_view content_type = "text/html; charset=utf-8",
                 std::string_view cache_control = "no-cache");

// A request's conditional headers, as views into the request: for an answer made while the
// request is alive (a page found in cache).
struct ConditionsView {
  std::string_view if_none_match;
  std::string_view if_modified_since;
  std::string_view accept_encoding;
  static ConditionsView Of(const http::Request& request);
};

// The same, copied, so that an answer sent after a store read does not depend on the request
// still being alive.
struct Conditions {
  std::string if_none_match;
  std::string if_modified_since;
  std::string accept_encoding;
  static Conditions Of(const http::Request& request);
  ConditionsView View() const { return {if_none_match, if_modified_since, accept_encoding}; }
};

// The response for `page` to a request with these conditions: 304 without a body when the request's
// If-None-Match lists the page's ETag (or, without If-None-Match, If-Modified-Since is not older
// than the page); otherwise the page, shared without copying. Either carries ETag, Last-Modified
// and Cache-Control: no-cache (browsers keep the page and revalidate it at each use).
// The headers are the page's, made in advance (RenderedPage::heads): nothing is copied.
http::Response PageResponse(const ConditionsView& conditions, const PagePtr& page);
inline http::Response PageResponse(const Conditions& conditions, const PagePtr& page) {
  return PageResponse(conditions.View(), page);
}

}  // namespace fourdollar::blog
