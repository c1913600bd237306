// Markdown post bodies on the real binary, with SQLite and with PostgreSQL: the page shows the
// rendered Markdown (tables, fenced code, autolinks), raw HTML as text and no unsafe link;
// ?format=markdown answers the source as sent; an edit renders the new source.
#include <gtest/gtest.h>

#include <string>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

constexpr std::string_view kSource =
    "Intro with <script>alert(1)</script> and [bad](javascript:alert(1)).\n\n"
    "| lang | year |\n|------|------|\n| C++ | 1985 |\n\n"
    "```cpp\nint main() { return 1 < 2; }\n```\n\n"
    "Read https://example.com/docs now.\n";

class MarkdownBodies : public EachStoreTest {};

TEST_P(MarkdownBodies, PageShowsRenderedMarkdownAndFormatMarkdownTheSource) {
  int64_t id = CreatePostAndFindId("Markdown", kSource);
  ASSERT_GT(id, 0);
  HttpResponse page = Get(PostPath(id));
  ASSERT_EQ(page.status, 200) << page.body;
  std::optional<PostPage> shown = ParsePostPage(page.body);
  ASSERT_TRUE(shown) << page.body;
  const std::string& html = shown->body_html;
  EXPECT_NE(html.find("<table>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>C++</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<pre><code class=\"language-cpp\">int main() { return 1 &lt; 2; }"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"https://example.com/docs\">https://example.com/docs</a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << html;
  EXPECT_EQ(page.body.find("<script"), std::string::npos) << page.body;
  EXPECT_NE(html.find("<a>bad</a>"), std::string::npos) << html;
  EXPECT_EQ(page.body.find("javascript:"), std::string::npos) << page.body;

  HttpResponse source = Get(PostPath(id) + "?format=markdown");
  ASSERT_EQ(source.status, 200) << source.body;
  EXPECT_EQ(source.body, kSource);
  EXPECT_EQ(source.Header("Content-Type"), "text/markdown; charset=utf-8");
  ASSERT_FALSE(source.Header("ETag").empty());
  EXPECT_NE(source.Header("ETag"), page.Header("ETag"));
  HttpResponse head = Request("HEAD", PostPath(id) + "?format=markdown");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.Header("ETag"), source.Header("ETag"));
  HttpResponse revalidated =
      Request("GET", PostPath(id) + "?format=markdown", {{"If-None-Match", source.Header("ETag")}});
  EXPECT_EQ(revalidated.status, 304);

  HttpResponse edited =
      Request("PUT", PostPath(id), JsonHeaders(server_->token()), PostJson("Markdown", "## *v2*"));
  ASSERT_EQ(edited.status, 303) << edited.body;
  shown = ParsePostPage(Get(PostPath(id)).body);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->body_html, "<h2><em>v2</em></h2>\n");
  HttpResponse new_source = Get(PostPath(id) + "?format=markdown");
  EXPECT_EQ(new_source.body, "## *v2*");
  EXPECT_NE(new_source.Header("ETag"), source.Header("ETag"));
}

TEST_P(MarkdownBodies, BadFormatAndPathologicalMarkdownAre400) {
  int64_t id = CreatePostAndFindId("Plain", "words");
  ASSERT_GT(id, 0);
  HttpResponse bad = Get(PostPath(id) + "?format=rtf");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("format must be markdown"), std::string::npos) << bad.body;

  HttpResponse deep = CreatePost("Deep", std::string(100000, '>'));
  EXPECT_EQ(deep.status, 400);
  EXPECT_NE(deep.body.find("more than 32 deep"), std::string::npos) << deep.body;
  HttpResponse deep_edit = Request("PUT", PostPath(id), JsonHeaders(server_->token()),
                                   PostJson("Deep", std::string(100000, '>')));
  EXPECT_EQ(deep_edit.status, 400) << deep_edit.body;
  EXPECT_EQ(Get(PostPath(id) + "?format=markdown").body, "words");

  HttpResponse backticks = CreatePost("Ticks", std::string(100000, '`'));
  EXPECT_EQ(backticks.status, 303) << backticks.body;
}

INSTANTIATE_TEST_SUITE_P(Stores, MarkdownBodies, ::testing::Values(false, true), StoreName);

}  // namespace
}  // namespace fourdollar::e2e
