#include "blog/markdown.h"

#include <gtest/gtest.h>

#include <string>

namespace fourdollar::blog {
namespace {

TEST(Markdown, RendersTheExtensionsPostsUse) {
  std::string html = RenderMarkdown(
      "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```cpp\nint x = 1 < 2;\n```\n\n"
      "See https://example.com/x and <https://example.org>, ~~old~~ *new*.\n");
  EXPECT_NE(html.find("<h1>Title</h1>"), std::string::npos) << html;
  EXPECT_NE(html.find("<table>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>1</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<pre><code class=\"language-cpp\">int x = 1 &lt; 2;\n</code></pre>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"https://example.com/x\">https://example.com/x</a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"https://example.org\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<del>old</del>"), std::string::npos) << html;
  EXPECT_NE(html.find("<em>new</em>"), std::string::npos) << html;
}

struct Nasty {
  const char* source;
  const char* must_contain;      // in the HTML
  const char* must_not_contain;  // anywhere in the HTML, letter case ignored
};

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST(Markdown, NastyInputIsShownAsTextOrLosesItsUrl) {
  const Nasty cases[] = {
      {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script"},
      {"hi <img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;", "<img"},
      {"<div onclick=\"x\">block</div>", "&lt;div onclick=&quot;x&quot;&gt;", "<div"},
      {"[click](javascript:alert(1))", "<a>click</a>", "javascript:"},
      {"[click](JaVaScRiPt:alert(1))", "<a>click</a>", "javascript:"},
      {"[click](javascript&#58;alert(1))", "<a>click</a>", "javascript:"},
      {"[click](&#106;avascript:alert(1))", "<a>click</a>", "javascript:"},
      {"[click](vbscript:msgbox)", "<a>click</a>", "vbscript:"},
      {"[click](data:text/html;base64,PHNjcmlwdD4=)", "<a>click</a>", "data:"},
      {"[click](file:///etc/passwd)", "<a>click</a>", "file:"},
      {"<javascript:alert(1)>", "<a>javascript:alert(1)</a>", "href"},
      {"![pic](javascript:alert(1))", "<img alt=\"pic\"", "src="},
      {"![pic](data:image/svg+xml;base64,PHN2Zz4=)", "<img alt=\"pic\"", "src="},
      {"[ref]\n\n[ref]: javascript:alert(1)", "<a>ref</a>", "javascript:"},
      {"[x](\"><script>)", "", "<script"},
      {"[ok](https://example.com/a?b=1&c=2)", "<a href=\"https://example.com/a?b=1&amp;c=2\">",
       "javascript"},
      {"[ok](/2 \"title\")", "<a href=\"/2\" title=\"title\">ok</a>", "javascript"},
      {"[mail](mailto:a@example.com)", "<a href=\"mailto:a@example.com\">", "javascript"},
  };
  for (const Nasty& nasty : cases) {
    std::string html = RenderMarkdown(nasty.source);
    EXPECT_NE(html.find(nasty.must_contain), std::string::npos) << nasty.source << "\n-> " << html;
    EXPECT_EQ(Lower(html).find(nasty.must_not_contain), std::string::npos)
        << nasty.source << "\n-> " << html;
  }
}

TEST(Markdown, SafeUrls) {
  EXPECT_TRUE(IsSafeUrl("/1"));
  EXPECT_TRUE(IsSafeUrl("page#a:b"));
  EXPECT_TRUE(IsSafeUrl("HTTPS://example.com"));
  EXPECT_TRUE(IsSafeUrl("//example.com"));
  EXPECT_FALSE(IsSafeUrl("javascript:x"));
  EXPECT_FALSE(IsSafeUrl(":x"));
  EXPECT_FALSE(IsSafeUrl("java%09script:x"));
}

// Each input is at the body size limit (100,000 bytes): it is refused by the nesting check or
// rendered, and both finish (linear-time parser; a hang fails the test by its ctest timeout).
TEST(Markdown, PathologicalInputIsRefusedOrRenderedInBoundedTime) {
  const std::string deep_quotes(100000, '>');
  const std::string deep_lists = [] {
    std::string text;
    for (int i = 0; text.size() < 99000; ++i) text += std::string(2 * i, ' ') + "- x\n";
    return text;
  }();
  const std::string emphasis = std::string(50000, '*') + std::string(50000, '_');
  for (const std::string* source : {&deep_quotes, &deep_lists}) {
    Result<std::string> checked = RenderCheckedMarkdown(*source);
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.error().message.find("more than 32 deep"), std::string::npos);
  }
  const std::string accepted[] = {
      std::string(100000, '['),
      std::string(100000, '`'),
      std::string(50000, '`') + "x" + std::string(49999, '`'),
      std::string(100000, '<'),
      emphasis,
      [] {
        std::string text;
        while (text.size() < 99990) text += "[a](";
        return text;
      }(),
      [] {
        std::string text;
        while (text.size() < 99990) text += "|a";
        return text + "\n|-|\n";
      }(),
  };
  for (const std::string& source : accepted) {
    Result<std::string> html = RenderCheckedMarkdown(source);
    ASSERT_TRUE(html) << source.substr(0, 20);
    EXPECT_FALSE(html->empty()) << source.substr(0, 20);
  }
}

bool Accepted(std::string_view source) { return RenderCheckedMarkdown(source).has_value(); }

TEST(Markdown, CheckedRenderingIsTheRendering) {
  const std::string source = "> *quoted* [link](https://example.com)\n\n```\ncode\n```\n";
  Result<std::string> html = RenderCheckedMarkdown(source);
  ASSERT_TRUE(html);
  EXPECT_EQ(*html, RenderMarkdown(source));
  EXPECT_TRUE(Accepted("plain"));
}

// `levels` lists, each an item of the one before: a list and its item are two levels each.
std::string NestedLists(int levels) {
  std::string text;
  for (int i = 0; i < levels; ++i) text += std::string(2 * i, ' ') + "- x\n";
  return text;
}

// `levels` emphases, each inside the one before (no two delimiter runs touch).
std::string NestedEmphasis(int levels) {
  std::string text;
  for (int i = 0; i < levels; ++i) text += (i % 2 == 0 ? "*a " : "_a ");
  for (int i = levels; i-- > 0;) text += (i % 2 == 0 ? " b*" : " b_");
  return text;
}

// The document is a level, as is every quote, list, item, paragraph and emphasis in it.
TEST(Markdown, NestingIsRefusedPastTheLimitExactly) {
  EXPECT_TRUE(Accepted(std::string(30, '>') + " x\n"));  // 1 + 30 + the paragraph
  EXPECT_FALSE(Accepted(std::string(31, '>') + " x\n"));
  EXPECT_TRUE(Accepted(NestedLists(15)));  // 1 + 2 * 15 (a tight list has no paragraphs)
  EXPECT_FALSE(Accepted(NestedLists(16)));
  EXPECT_TRUE(Accepted(NestedEmphasis(30)));  // 1 + the paragraph + 30
  EXPECT_FALSE(Accepted(NestedEmphasis(31)));
  EXPECT_TRUE(Accepted(std::string(29, '>') + " *x*\n"));
  EXPECT_FALSE(Accepted(std::string(30, '>') + " *x*\n"));
  // A code block is one level (its HTML is <pre><code>); a rule, a break and an image none.
  EXPECT_TRUE(Accepted(std::string(30, '>') + " ```\n" + std::string(30, '>') + " code\n"));
  EXPECT_FALSE(Accepted(std::string(31, '>') + " ```\n" + std::string(31, '>') + " code\n"));
  EXPECT_TRUE(Accepted(std::string(31, '>') + " ---\n"));
  EXPECT_TRUE(Accepted(std::string(30, '>') + " a  \n" + std::string(30, '>') + " ![x](y.png)\n"));
}

}  // namespace
}  // namespace fourdollar::blog
