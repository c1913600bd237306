#include "blog/markdown.h"

#include <md4c-html.h>
#include <md4c.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace fourdollar::blog {

namespace {

// Raw HTML shown as text; the GitHub extensions the posts use. Permissive autolinks make
// "https://example.com" and "www.example.com" links without angle brackets.
constexpr unsigned kParserFlags = MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH |
                                  MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS |
                                  MD_FLAG_PERMISSIVEEMAILAUTOLINKS;

// Debian's md4c 0.4.8 reads past the end of its input on some sources (found by
// fuzz/markdown_fuzz.cc: a parse that crashed on the page after the input, and HTML that carried
// a few bytes from beyond it). The renderer parses this copy instead: the source followed by zero
// bytes, of which md4c is told only the source's size. A zero byte that
// reaches the output that way is removed from it.
class PaddedSource {
 public:
  explicit PaddedSource(std::string_view source) : size_(static_cast<MD_SIZE>(source.size())) {
    bytes_.reserve(source.size() + kPadding);
    bytes_.append(source);
    bytes_.append(kPadding, '\0');
  }
  const MD_CHAR* data() const { return bytes_.data(); }
  MD_SIZE size() const { return size_; }

 private:
  static constexpr size_t kPadding = 64;
  std::string bytes_;
  MD_SIZE size_;
};

// md4c-html's output, walked once, tag by tag. That output is safe to scan: with MD_FLAG_NOHTML
// every '<' of the source is written as "&lt;" and every '"' as "&quot;", so every '<' in it
// starts a tag md4c-html wrote, and the URL of its `<a href="` and `<img src="` ends at the next
// '"'. The walk does two things:
// - md4c-html does not filter URLs, and no Debian package does it for md4c, so a URL whose scheme
//   is not safe (IsSafeUrl) is dropped here with its attribute;
// - it returns the deepest nesting of elements, plus one for the document (md4c's own count of
//   blocks and spans). Void elements (br, hr, img) hold nothing; a code block is <pre><code>, one
//   block: pre is not counted.
int FilterTags(std::string& html) {
  static constexpr std::array<std::string_view, 2> kOpenings = {"<a href=\"", "<img src=\""};
  auto named = [&html](size_t at, std::string_view name) {
    if (html.compare(at, name.size(), name) != 0) return false;
    const size_t end = at + name.size();
    return end == html.size() || html[end] == '>' || html[end] == ' ' || html[end] == '/';
  };
  int depth = 1;
  int deepest = 1;
  std::string out;  // made only when a URL is dropped
  size_t copied = 0;
  for (size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    const bool closing = at + 1 < html.size() && html[at + 1] == '/';
    const size_t name = at + (closing ? 2 : 1);
    if (named(name, "pre")) continue;
    if (closing) {
      --depth;
      continue;
    }
    if (!named(name, "br") && !named(name, "hr") && !named(name, "img")) {
      deepest = std::max(deepest, ++depth);
    }
    for (std::string_view opening : kOpenings) {
      if (html.compare(at, opening.size(), opening) != 0) continue;
      size_t url_begin = at + opening.size();
      size_t url_end = html.find('"', url_begin);
      if (url_end == std::string::npos) break;
      std::string_view url(html.data() + url_begin, url_end - url_begin);
      if (IsSafeUrl(url)) break;
      // `<a href="javascript:x"` becomes `<a`: a link without a target, its text kept.
      size_t attribute = opening.find(' ');
      if (out.empty()) out.reserve(html.size());
      out.append(html, copied, at + attribute - copied);
      copied = url_end + 1;
      break;
    }
  }
  if (copied != 0) {
    out.append(html, copied);
    html = std::move(out);
  }
  return deepest;
}

// The HTML of `source`, unsafe URLs dropped; `*nesting` its deepest nesting (FilterTags).
std::string Render(std::string_view source, int* nesting) {
  const PaddedSource padded(source);
  std::string html;
  html.reserve(source.size() + source.size() / 4 + 64);
  md_html(
      padded.data(), padded.size(),
      [](const MD_CHAR* text, MD_SIZE size, void* out) {
        static_cast<std::string*>(out)->append(text, size);
      },
      &html, kParserFlags, MD_HTML_FLAG_SKIP_UTF8_BOM);
  std::erase(html, '\0');
  *nesting = FilterTags(html);
  return html;
}

}  // namespace

bool IsSafeUrl(std::string_view url) {
  size_t end = url.find_first_of(":/?#");
  if (end == std::string_view::npos || url[end] != ':') return true;  // relative
  std::string scheme(url.substr(0, end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

std::string RenderMarkdown(std::string_view source) {
  int nesting = 0;
  return Render(source, &nesting);
}

Result<std::string> RenderCheckedMarkdown(std::string_view source) {
  int nesting = 0;
  std::string html = Render(source, &nesting);
  if (nesting > kMaxMarkdownNesting) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "body must not nest Markdown blocks and spans (quotes, lists, emphasis, "
                     "links) more than " +
                         std::to_string(kMaxMarkdownNesting) + " deep");
  }
  return html;
}

}  // namespace fourdollar::blog
