#include "blog/pages.h"

#include <gtest/gtest.h>

#include <string>

namespace fourdollar::blog {
namespace {

bool Contains(const std::string& text, std::string_view piece) {
  return text.find(piece) != std::string::npos;
}

TEST(FormatUtcIso8601Ms, FormatsWithMilliseconds) {
  EXPECT_EQ(FormatUtcIso8601Ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcIso8601Ms(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatUtcIso8601Ms(1795705445123), "2026-11-26T15:04:05.123Z");
  EXPECT_EQ(FormatUtcIso8601Ms(951782400000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(FormatUtcIso8601Ms(4102444799999), "2099-12-31T23:59:59.999Z");
}

TEST(FormatUtcIso8601Ms, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatUtcIso8601Ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(FormatUtcIso8601Ms, WritesYearsOutsideFourDigitsInFull) {
  EXPECT_EQ(FormatUtcIso8601Ms(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatUtcIso8601Ms(253402300800000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcIso8601Ms(-62135596800001), "0000-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatUtcIso8601Ms(-62167219200001), "-001-12-31T23:59:59.999Z");
}

TEST(EscapeHtml, ReplacesTheFiveCharactersKainjowEscapesAndNothingElse) {
  EXPECT_EQ(EscapeHtml(""), "");
  EXPECT_EQ(EscapeHtml("plain text, \u00e9t\u00e9 / 100%"), "plain text, \u00e9t\u00e9 / 100%");
  EXPECT_EQ(EscapeHtml("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
  EXPECT_EQ(EscapeHtml("&"), "&amp;");
  EXPECT_EQ(EscapeHtml("ends with <"), "ends with &lt;");
  const std::string every_byte = [] {
    std::string text;
    for (int c = 1; c < 256; ++c) text += static_cast<char>(c);
    return text;
  }();
  EXPECT_EQ(EscapeHtml(every_byte), kainjow::mustache::html_escape(every_byte));
}

TEST(PageRenderer, ListLinksTitlesInOrderGiven) {
  PageRenderer pages(DefaultTemplates());
  store::PostList posts = {{7, 1795705445123, "Seventh"}, {3, 0, "Third"}};
  std::string html = pages.List(posts, true, std::nullopt);
  size_t seventh = html.find("<a href=\"/7\">Seventh</a>");
  size_t third = html.find("<a href=\"/3\">Third</a>");
  ASSERT_NE(seventh, std::string::npos) << html;
  ASSERT_NE(third, std::string::npos) << html;
  EXPECT_LT(seventh, third);
  EXPECT_TRUE(Contains(html, "<time datetime=\"2026-11-26T15:04:05.123Z\">2026-11-26</time>"));
  EXPECT_FALSE(Contains(html, "?before=")) << html;
}

TEST(PageRenderer, ListLinksToOlderPageWhenAsked) {
  PageRenderer pages(DefaultTemplates());
  std::string html = pages.List(store::PostList{{12, 0, "Twelve"}}, false, 12);
  EXPECT_TRUE(Contains(html, "href=\"/?before=12\"")) << html;
  EXPECT_TRUE(Contains(html, "href=\"/\"")) << html;
}

TEST(PageRenderer, EmptyFrontPageSaysNoPostsYet) {
  PageRenderer pages(DefaultTemplates());
  std::string html = pages.List({}, true, std::nullopt);
  EXPECT_TRUE(Contains(html, "No posts yet")) << html;
  EXPECT_FALSE(Contains(html, "<ol>")) << html;
}

TEST(PageRenderer, PagesAreHtml5WithViewportAndNoScripts) {
  PageRenderer pages(DefaultTemplates());
  for (const std::string& html : {pages.List(store::PostList{{1, 0, "t"}}, true, std::nullopt),
                                  pages.Post({1, 0, "t", "b"}), pages.NotFound(), pages.Gone(1)}) {
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u) << html;
    EXPECT_TRUE(Contains(html, "<meta charset=\"utf-8\">"));
    EXPECT_TRUE(Contains(html, "<meta name=\"viewport\""));
    EXPECT_TRUE(Contains(html, "<link rel=\"stylesheet\" href=\"/style.css\">"));
    EXPECT_TRUE(Contains(html, "type=\"application/atom+xml\""));
    EXPECT_FALSE(Contains(html, "<script"));
    EXPECT_FALSE(Contains(html, "src="));
    EXPECT_TRUE(Contains(html, "</html>"));
  }
}

TEST(PageRenderer, PostShowsTitleTimeAndBodyWithLineBreaks) {
  PageRenderer pages(DefaultTemplates());
  std::string html = pages.Post({5, 1795705445123, "Hello", "line one\nline two"});
  EXPECT_TRUE(Contains(html, "<h1>Hello</h1>")) << html;
  EXPECT_TRUE(Contains(html, "<time datetime=\"2026-11-26T15:04:05.123Z\">")) << html;
  EXPECT_TRUE(Contains(html, "line one\nline two")) << html;
}

TEST(PageRenderer, EscapesTitleAndRendersBodyAsMarkdownWithRawHtmlAsText) {
  PageRenderer pages(DefaultTemplates());
  store::Post post{1, 0, "<script>alert(1)</script>", "Tom & \"Jerry\" <b>'x'</b>"};
  std::string html = pages.Post(post);
  EXPECT_FALSE(Contains(html, "<script>")) << html;
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;")) << html;
  EXPECT_TRUE(Contains(html, "<p>Tom &amp; &quot;Jerry&quot; &lt;b&gt;'x'&lt;/b&gt;</p>")) << html;
  std::string list = pages.List(store::PostList{{1, 0, post.title}}, true, std::nullopt);
  EXPECT_FALSE(Contains(list, "<script>")) << list;
  EXPECT_TRUE(Contains(list, "&lt;script&gt;alert(1)&lt;/script&gt;")) << list;
}

TEST(PageRenderer, RendersRepeatedlyWithTheSameResult) {
  PageRenderer pages(DefaultTemplates());
  store::Post post{2, 0, "Again", "same"};
  EXPECT_EQ(pages.Post(post), pages.Post(post));
}

TEST(PageRenderer, NotFoundSaysSo) {
  PageRenderer pages(DefaultTemplates());
  EXPECT_TRUE(Contains(pages.NotFound(), "Not found"));
}

}  // namespace
}  // namespace fourdollar::blog
