// The test support's own parsers, without a server.
#include <gtest/gtest.h>

#include "e2e/blog_pages.h"
#include "e2e/prometheus_text.h"

namespace fourdollar::e2e {
namespace {

TEST(ListPageParser, ReadsLinksAndOlderLink) {
  std::string html =
      "<ul><li><a href=\"/12\">A &amp; B</a></li><li><a href=\"/7\">&lt;x&gt;</a></li></ul>"
      "<a href=\"/?before=7\">older</a>";
  std::vector<PostLink> links = ParseListLinks(html);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].id, 12);
  EXPECT_EQ(links[0].title, "A & B");
  EXPECT_EQ(links[1].title, "<x>");
  EXPECT_EQ(ParseOlderLink(html), 7);
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(PrometheusText, FindsSamplesByLabelsInAnyOrder) {
  std::string text =
      "# HELP x y\n"
      "fourdollar_http_requests_total{method=\"GET\",route=\"list\",status=\"200\"} 5\n"
      "fourdollar_http_requests_total{route=\"list\",method=\"GET\",status=\"404\"} 2\n"
      "fourdollar_http_requests_total_other 9\n"
      "process_resident_memory_bytes 1.5e+07\n";
  EXPECT_EQ(
      FindSample(text, "fourdollar_http_requests_total", {{"route", "list"}, {"status", "200"}}),
      5);
  EXPECT_EQ(FindSample(text, "fourdollar_http_requests_total", {{"route", "list"}}), 7);
  EXPECT_EQ(FindSample(text, "process_resident_memory_bytes"), 1.5e7);
  EXPECT_FALSE(FindSample(text, "fourdollar_http_requests_total", {{"route", "post"}}));
}

}  // namespace
}  // namespace fourdollar::e2e
