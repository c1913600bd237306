#include "blog/pages.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

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

// The renderer fills the data of its last page again (List, Post): each page must come out as
// from a new renderer, whatever the pages before it held (more items, fewer, longer titles, an
// older link or an edit time that this one has not).
TEST(PageRenderer, RendersEachPageAsANewRendererWould) {
  PageRenderer reused(DefaultTemplates());
  auto list_of = [](size_t count, const std::string& title) {
    store::PostList posts;
    for (size_t i = 0; i < count; ++i) {
      const auto id = static_cast<int64_t>(100 - i);
      posts.push_back({id, 1795705445123 - id * 86'400'000, title + std::to_string(i)});
    }
    return posts;
  };
  const std::string long_title(300, 'x');
  const std::vector<std::tuple<size_t, std::string, std::optional<int64_t>, bool>> lists = {
      {3, "short <", std::nullopt, true}, {10, long_title, 91, true},        {1, "a", 100, false},
      {0, "", std::nullopt, true},        {12, "b & c", std::nullopt, true}, {3, "d", 98, false}};
  for (const auto& [count, title, older, front] : lists) {
    const store::PostList posts = list_of(count, title);
    PageRenderer fresh(DefaultTemplates());
    EXPECT_EQ(reused.List(posts, front, older), fresh.List(posts, front, older))
        << count << " posts titled " << title;
  }
  store::Post edited{7, 1795705445123, long_title, "# Heading\n\n" + std::string(2000, 'y')};
  edited.updated_unix_ms = 1795705999999;
  store::Post plain{8, 0, "Plain", "short"};
  plain.body_html = "<p>stored html</p>";
  store::Post edited_again = edited;
  edited_again.updated_unix_ms = 1795706000000;
  for (const store::Post& post : {edited, plain, edited_again, plain}) {
    PageRenderer fresh(DefaultTemplates());
    EXPECT_EQ(reused.Post(post), fresh.Post(post)) << "post " << post.id;
  }
}

TEST(PageRenderer, NotFoundSaysSo) {
  PageRenderer pages(DefaultTemplates());
  EXPECT_TRUE(Contains(pages.NotFound(), "Not found"));
}

}  // namespace
}  // namespace fourdollar::blog
