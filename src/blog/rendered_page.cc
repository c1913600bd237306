#include "blog/rendered_page.h"

#include <utility>

#include "blog/compression.h"
#include "http/accept_encoding.h"
#include "http/conditional.h"

namespace fourdollar::blog {

namespace {

bool NotModified(const ConditionsView& conditions, const RenderedPage& page) {
  if (page.status != 200) return false;
  // RFC 9110 13.2.2: If-None-Match, when present, decides alone.
  if (!conditions.if_none_match.empty()) {
    return http::IfNoneMatchMatches(conditions.if_none_match, page.etag);
  }
  std::string_view since = conditions.if_modified_since;
  if (since.empty()) return false;
  std::optional<int64_t> since_s = http::ParseHttpDate(since);
  return since_s && page.last_modified_unix_s <= *since_s;
}

// The header lines of the page's answers in one coding (identity: `encoding` empty), each
// string built in place: this runs three times for every page made, the list's after each commit.
RenderedPage::Heads MakeHeads(const RenderedPage& page, std::string_view etag,
                              std::string_view encoding) {
  RenderedPage::Heads heads;
  std::string& lines = heads.not_modified;
  lines.reserve(128);
  if (page.status == 200) {
    lines.append("ETag: ").append(etag).append("\r\nLast-Modified: ");
    lines.append(page.last_modified).append("\r\nVary: Accept-Encoding\r\n");
  }
  lines.append("Cache-Control: ").append(page.cache_control).append("\r\n");
  if (encoding.empty()) {
    heads.full = lines;
  } else {
    heads.full.reserve(lines.size() + encoding.size() + 20);
    heads.full.append("Content-Encoding: ").append(encoding).append("\r\n").append(lines);
  }
  return heads;
}

}  // namespace

ConditionsView ConditionsView::Of(const http::Request& request) {
  return ConditionsView{request.HeaderValue("If-None-Match"),
                        request.HeaderValue("If-Modified-Since"),
                        request.HeaderValue("Accept-Encoding")};
}

Conditions Conditions::Of(const http::Request& request) {
  return Conditions{std::string(request.HeaderValue("If-None-Match")),
                    std::string(request.HeaderValue("If-Modified-Since")),
                    std::string(request.HeaderValue("Accept-Encoding"))};
}

const std::string& RenderedPage::gzip() const {
  std::call_once(gzipped_, [this] {
    if (status == 200) gzip_ = GzipCompress(html);
  });
  return gzip_;
}

const std::string& RenderedPage::br() const {
  std::call_once(brotlied_, [this] {
    if (status == 200) br_ = BrotliCompress(html);
  });
  return br_;
}

PagePtr MakePage(int status, std::string html, int64_t last_modified_unix_s, int64_t revision,
                 std::string_view content_type, std::string_view cache_control) {
  auto page = std::make_shared<RenderedPage>();
  page->content_type = content_type;
  page->cache_control = cache_control;
  page->status = status;
  page->etag = http::StrongEtag(html);
  // "\"<hash>\"" -> "\"<hash>-gzip\"": a strong tag per representation (RFC 9110 8.8.3).
  const std::string_view unquoted(page->etag.data(), page->etag.size() - 1);
  page->etag_gzip.append(unquoted).append("-gzip\"");
  page->etag_br.append(unquoted).append("-br\"");
  page->html = std::move(html);
  page->last_modified_unix_s = last_modified_unix_s;
  page->last_modified = http::HttpDate(last_modified_unix_s);
  page->revision = revision;
  page->heads[0] = MakeHeads(*page, page->etag, "");
  page->heads[1] = MakeHeads(*page, page->etag_gzip, "gzip");
  page->heads[2] = MakeHeads(*page, page->etag_br, "br");
  return page;
}

http::Response PageResponse(const ConditionsView& conditions, const PagePtr& page) {
  http::Response response;
  response.content_type = page->content_type;
  // Without Accept-Encoding the answer is the HTML, and nothing is compressed for it. Else only
  // the copies the choice needs are made: the client's preferred coding, and the next one only
  // when that copy is no smaller than the HTML.
  http::ContentCoding coding = http::ContentCoding::kIdentity;
  if (page->status == 200 && !conditions.accept_encoding.empty()) {
    bool gzip_available = true;
    bool br_available = true;
    while (true) {
      coding = http::ChooseCoding(conditions.accept_encoding, gzip_available, br_available);
      if (coding == http::ContentCoding::kBrotli && page->br().empty()) {
        br_available = false;
      } else if (coding == http::ContentCoding::kGzip && page->gzip().empty()) {
        gzip_available = false;
      } else {
        break;
      }
    }
  }
  const std::string* body = &page->html;
  const RenderedPage::Heads* heads = &page->heads[0];
  if (coding == http::ContentCoding::kGzip) {
    body = &page->gzip();
    heads = &page->heads[1];
  } else if (coding == http::ContentCoding::kBrotli) {
    body = &page->br();
    heads = &page->heads[2];
  }
  // Aliasing: the body and the header lines share the page's ownership, no copy.
  if (NotModified(conditions, *page)) {
    response.status = 304;
    response.shared_header_lines = std::shared_ptr<const std::string>(page, &heads->not_modified);
  } else {
    response.status = page->status;
    response.shared_body = std::shared_ptr<const std::string>(page, body);
    response.shared_header_lines = std::shared_ptr<const std::string>(page, &heads->full);
  }
  return response;
}

}  // namespace fourdollar::blog
