#include "e2e/blog_pages.h"

#include <charconv>
#include <cstdio>
#include <regex>

namespace fourdollar::e2e {

std::string PostPath(int64_t id) {
  std::string path = "/";
  path += std::to_string(id);
  return path;
}

std::vector<PostLink> ParseListLinks(std::string_view html) {
  static const std::regex kLink(R"re(<a href="/([0-9]+)"[^>]*>([^<]*)</a>)re");
  std::vector<PostLink> links;
  std::string text(html);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kLink);
       it != std::sregex_iterator(); ++it) {
    links.push_back(PostLink{std::stoll((*it)[1]), HtmlUnescape((*it)[2].str())});
  }
  return links;
}

std::optional<int64_t> ParseOlderLink(std::string_view html) {
  static const std::regex kOlder(R"re(href="/\?before=([0-9]+)")re");
  std::string text(html);
  std::smatch match;
  if (!std::regex_search(text, match, kOlder)) return std::nullopt;
  return std::stoll(match[1]);
}

std::optional<PostPage> ParsePostPage(std::string_view html) {
  constexpr std::string_view kTitleOpen = "<h1>";
  constexpr std::string_view kBodyOpen = "<div class=\"body\">";
  const size_t title = html.find(kTitleOpen);
  const size_t title_end = html.find("</h1>", title);
  const size_t body = html.find(kBodyOpen, title_end);
  // The body's own "<" are escaped and Markdown makes no <div>, so the first "</div>" closes it.
  const size_t body_end = html.find("</div>", body);
  if (title == std::string_view::npos || title_end == std::string_view::npos ||
      body == std::string_view::npos || body_end == std::string_view::npos) {
    return std::nullopt;
  }
  const size_t title_start = title + kTitleOpen.size();
  const size_t body_start = body + kBodyOpen.size();
  return PostPage{HtmlUnescape(html.substr(title_start, title_end - title_start)),
                  std::string(html.substr(body_start, body_end - body_start))};
}

std::optional<int64_t> ParseStoredId(std::string_view body) {
  constexpr std::string_view kPrefix = "stored as /";
  const size_t at = body.find(kPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  int64_t id = 0;
  const char* first = body.data() + at + kPrefix.size();
  auto [end, ec] = std::from_chars(first, body.data() + body.size(), id);
  if (ec != std::errc() || end == first || id <= 0) return std::nullopt;
  return id;
}

std::string HtmlUnescape(std::string_view html) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'},   {"&lt;", '<'},  {"&gt;", '>'},   {"&quot;", '"'},  {"&#39;", '\''},
      {"&#x27;", '\''}, {"&#34;", '"'}, {"&#x2F;", '/'}, {"&apos;", '\''},
  };
  std::string text;
  while (!html.empty()) {
    bool replaced = false;
    if (html.front() == '&') {
      for (const auto& [entity, character] : kEntities) {
        if (html.starts_with(entity)) {
          text.push_back(character);
          html.remove_prefix(entity.size());
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) {
      text.push_back(html.front());
      html.remove_prefix(1);
    }
  }
  return text;
}

std::string JsonString(std::string_view text) {
  std::string json = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        json += "\\\"";
        break;
      case '\\':
        json += "\\\\";
        break;
      case '\n':
        json += "\\n";
        break;
      case '\r':
        json += "\\r";
        break;
      case '\t':
        json += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          json += escaped;
        } else {
          json += c;
        }
    }
  }
  json += '"';
  return json;
}

std::string PostJson(std::string_view title, std::string_view body) {
  return "{\"title\":" + JsonString(title) + ",\"body\":" + JsonString(body) + "}";
}

Headers JsonHeaders(const std::string& token) {
  Headers headers = {{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return headers;
}

Result<std::vector<PostLink>> ListAllPosts(const std::string& host, uint16_t port, int max_pages) {
  auto connection = HttpConnection::Connect(host, port);
  if (!connection) return tl::unexpected(connection.error());
  std::vector<PostLink> all;
  std::string target = "/";
  for (int page = 0; page < max_pages; ++page) {
    auto response = connection->RoundTrip("GET", target);
    if (!response) return tl::unexpected(response.error());
    if (response->status != 200) {
      return MakeError(ErrorCode::kInternal,
                       "GET " + target + " answered " + std::to_string(response->status));
    }
    std::vector<PostLink> links = ParseListLinks(response->body);
    all.insert(all.end(), links.begin(), links.end());
    std::optional<int64_t> older = ParseOlderLink(response->body);
    if (!older) return all;
    target = "/?before=" + std::to_string(*older);
  }
  return MakeError(ErrorCode::kInternal,
                   "more than " + std::to_string(max_pages) + " pages of posts");
}

}  // namespace fourdollar::e2e
