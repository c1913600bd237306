// Fuzz target: a post body through the Markdown path (blog/markdown.h): the checked rendering, the
// same HTML as the plain one. Whatever the source, the HTML may only hold the tags Markdown makes
// (raw HTML is shown as text) and only links and images to relative, http, https or mailto URLs.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "blog/markdown.h"
#include "blog/post_validation.h"
#include "fuzz_support.h"

namespace fourdollar::fuzz {
namespace {

// The elements md4c-html writes for CommonMark with tables and strikethrough.
constexpr std::array<std::string_view, 24> kTags = {
    "p",    "h1",  "h2",         "h3", "h4", "h5", "h6", "a",  "img",   "em",    "strong", "del",
    "code", "pre", "blockquote", "ul", "ol", "li", "hr", "br", "table", "thead", "tbody",  "tr"};

bool IsKnownTag(std::string_view name) {
  if (name == "th" || name == "td") return true;
  return std::find(kTags.begin(), kTags.end(), name) != kTags.end();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void CheckHtml(const std::string& html) {
  for (size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    size_t name_begin = at + 1 + (html.compare(at + 1, 1, "/") == 0 ? 1 : 0);
    size_t name_end = name_begin;
    while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end]))) {
      ++name_end;
    }
    std::string_view name(html.data() + name_begin, name_end - name_begin);
    Check(IsKnownTag(name), "the HTML holds a tag Markdown does not make: " + std::string(name));
    size_t tag_end = html.find('>', at);
    Check(tag_end != std::string::npos, "a tag is not closed");
    const std::string tag = Lower(std::string_view(html).substr(at, tag_end - at));
    for (std::string_view attribute : {" href=\"", " src=\""}) {
      size_t value = tag.find(attribute);
      if (value == std::string::npos) continue;
      std::string_view url = std::string_view(tag).substr(value + attribute.size());
      url = url.substr(0, url.find('"'));
      size_t colon = url.find(':');
      bool relative = colon == std::string_view::npos || url.find_first_of("/?#") < colon;
      Check(relative || url.starts_with("http:") || url.starts_with("https:") ||
                url.starts_with("mailto:"),
            "a link or image keeps an unsafe URL: " + std::string(url));
    }
  }
}

}  // namespace
}  // namespace fourdollar::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar;
  if (size > blog::kMaxBodyBytes) return 0;  // POST and PUT refuse larger bodies first
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  Result<std::string> checked = blog::RenderCheckedMarkdown(source);
  if (!checked) {
    fuzz::Check(checked.error().message.starts_with("body"), "a refusal does not name the body");
    return 0;
  }
  fuzz::CheckHtml(*checked);
  fuzz::Check(*checked == blog::RenderMarkdown(source), "the checked HTML is not the rendering");
  return 0;
}
