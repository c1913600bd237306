#include "blog/feed.h"

#include <algorithm>

#include "blog/pages.h"

namespace fourdollar::blog {

namespace {

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

// RFC 3339 as Atom wants it: "2026-11-26T15:04:05.123Z".
std::string Rfc3339(int64_t unix_ms) { return FormatUtcIso8601Ms(unix_ms); }

}  // namespace

std::string RenderAtomFeed(std::span<const store::PostSummary> posts) {
  int64_t newest_ms = 0;
  for (const store::PostSummary& post : posts) {
    newest_ms = std::max({newest_ms, post.created_unix_ms, post.updated_unix_ms});
  }
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
      "  <id>urn:fourdollar:feed</id>\n"
      "  <title>fourdollar blog</title>\n"
      "  <updated>" +
      Rfc3339(newest_ms) +
      "</updated>\n"
      "  <author><name>fourdollar blog</name></author>\n"
      "  <link rel=\"self\" type=\"application/atom+xml\" href=\"/feed.xml\"/>\n"
      "  <link rel=\"alternate\" type=\"text/html\" href=\"/\"/>\n";
  for (const store::PostSummary& post : posts) {
    const std::string id = std::to_string(post.id);
    out += "  <entry>\n    <id>urn:fourdollar:post:" + id + "</id>\n    <title>";
    AppendEscaped(out, post.title);
    out += "</title>\n    <published>" + Rfc3339(post.created_unix_ms) +
           "</published>\n    <updated>" +
           Rfc3339(std::max(post.created_unix_ms, post.updated_unix_ms)) +
           "</updated>\n    <link rel=\"alternate\" type=\"text/html\" href=\"/" + id +
           "\"/>\n  </entry>\n";
  }
  return out + "</feed>\n";
}

}  // namespace fourdollar::blog
