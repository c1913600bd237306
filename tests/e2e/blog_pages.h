// What end-to-end tests need to know about the blog's pages and write API: the links on the
// list page, the "older" link, the JSON body of a new post, and paging through every post.
// Pure functions plus blocking helpers over HttpConnection; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "e2e/http_client.h"

namespace fourdollar::e2e {

struct PostLink {
  int64_t id = 0;
  std::string title;  // HTML entities decoded
};

// "/ID", the path of a post's page.
std::string PostPath(int64_t id);

// The `<a href="/ID">TITLE</a>` links of a list page, in page order.
std::vector<PostLink> ParseListLinks(std::string_view html);

// The title and body shown on a post's page (`<h1>` and `<div class="body">`): the title with HTML
// entities decoded, the body as the HTML its Markdown was rendered to; nullopt when the page has
// neither.
struct PostPage {
  std::string title;
  std::string body_html;
};
std::optional<PostPage> ParsePostPage(std::string_view html);

// The id in the body of a 303 answer to POST / ("stored as /ID"), when it has one.
std::optional<int64_t> ParseStoredId(std::string_view body);

// The ID of the `href="/?before=ID"` link, when the page has one.
std::optional<int64_t> ParseOlderLink(std::string_view html);

// Decodes &amp; &lt; &gt; &quot; &apos; &#39; &#x27; &#34; (the escapes templates produce).
std::string HtmlUnescape(std::string_view html);

// Escapes a string as a JSON string literal, quotes included. Bytes >= 0x80 pass unchanged.
std::string JsonString(std::string_view text);

// {"title": ..., "body": ...}
std::string PostJson(std::string_view title, std::string_view body);

// Content-Type: application/json, plus Authorization: Bearer TOKEN when the token is not empty.
Headers JsonHeaders(const std::string& token);

// Walks GET / then GET /?before=ID... until a page has no older link (at most max_pages pages)
// and returns every link seen, newest first.
Result<std::vector<PostLink>> ListAllPosts(const std::string& host, uint16_t port,
                                           int max_pages = 100000);

}  // namespace fourdollar::e2e
