// GET /, GET /ID, GET /healthz, HEAD, 404 and 405 on the real binary.
#include <regex>
#include <string>
#include <vector>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class ReadRoutes : public ServerTest {};

TEST_F(ReadRoutes, ListPageIsHtmlWithoutLinksWhenEmpty) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpResponse list = Get("/");
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_TRUE(ParseListLinks(list.body).empty()) << list.body;
  EXPECT_FALSE(ParseOlderLink(list.body).has_value());
}

TEST_F(ReadRoutes, ListPageShowsTenLatestTitlesNewestFirst) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (int i = 1; i <= 12; ++i) {
    ASSERT_EQ(CreatePost("post " + std::to_string(i), "body").status, 303);
  }
  HttpResponse list = Get("/");
  ASSERT_EQ(list.status, 200);
  std::vector<PostLink> links = ParseListLinks(list.body);
  ASSERT_EQ(links.size(), 10u) << list.body;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(links[i].title, "post " + std::to_string(12 - i));
    if (i > 0) {
      EXPECT_LT(links[i].id, links[i - 1].id);
    }
  }
  ASSERT_TRUE(ParseOlderLink(list.body).has_value()) << list.body;
}

TEST_F(ReadRoutes, OlderLinksPageThroughEveryPost) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (int i = 1; i <= 25; ++i) {
    ASSERT_EQ(CreatePost("post " + std::to_string(i), "body").status, 303);
  }
  std::vector<size_t> page_sizes;
  std::vector<PostLink> all;
  std::string target = "/";
  for (int page = 0; page < 10; ++page) {
    HttpResponse response = Get(target);
    ASSERT_EQ(response.status, 200) << target;
    std::vector<PostLink> links = ParseListLinks(response.body);
    page_sizes.push_back(links.size());
    all.insert(all.end(), links.begin(), links.end());
    std::optional<int64_t> older = ParseOlderLink(response.body);
    if (!older) break;
    target = "/?before=" + std::to_string(*older);
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{10, 10, 5}));
  ASSERT_EQ(all.size(), 25u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].title, "post " + std::to_string(25 - i));
  }
}

TEST_F(ReadRoutes, BadBeforeIs400) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (const char* target : {"/?before=abc", "/?before=-1", "/?before=", "/?before=12x",
                             "/?before=99999999999999999999999999"}) {
    EXPECT_EQ(Get(target).status, 400) << target;
  }
}

TEST_F(ReadRoutes, PostPageShowsTitleTimeAndBody) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("A day at the sea", "We swam.\nThen we ate.");
  ASSERT_GT(id, 0);
  HttpResponse page = Get(PostPath(id));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("A day at the sea"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("We swam."), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Then we ate."), std::string::npos) << page.body;
  std::regex time_element(R"re(<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")re");
  EXPECT_TRUE(std::regex_search(page.body, time_element)) << page.body;
}

TEST_F(ReadRoutes, PostPageEscapesHtml) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("<b>bold</b> & co", "<script>alert(1)</script>");
  ASSERT_GT(id, 0);
  HttpResponse page = Get(PostPath(id));
  EXPECT_EQ(page.body.find("<script>alert(1)"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<b>bold</b>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("&lt;b&gt;bold"), std::string::npos) << page.body;
}

TEST_F(ReadRoutes, UnknownOrMalformedIdsAre404Html) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("only post", "body");
  ASSERT_GT(id, 0);
  std::string existing = std::to_string(id);
  for (const std::string& target :
       {PostPath(id + 1000), std::string("/0"), std::string("/-1"),
        std::string("/-").append(existing), std::string("/abc"), std::string("/0").append(existing),
        PostPath(id).append("x"), std::string("/99999999999999999999999999"), std::string("/1.5"),
        std::string("/+1")}) {
    HttpResponse response = Get(target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_NE(response.Header("Content-Type").find("text/html"), std::string::npos) << target;
  }
}

TEST_F(ReadRoutes, UnknownPathIs404) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(Get("/no/such/page").status, 404);
  EXPECT_EQ(Get("/healthz/more").status, 404);
}

TEST_F(ReadRoutes, HealthzAnswersOk) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpResponse health = Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
}

TEST_F(ReadRoutes, HeadAnswersLikeGetWithoutBody) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("head me", "body");
  ASSERT_GT(id, 0);
  for (const std::string& target :
       {std::string("/"), PostPath(id), std::string("/healthz"), std::string("/metrics")}) {
    auto connection = Connect();
    ASSERT_TRUE(connection.has_value()) << connection.error().message;
    auto head = connection->RoundTrip("HEAD", target);
    ASSERT_TRUE(head.has_value()) << target << ": " << head.error().message;
    EXPECT_EQ(head->status, 200) << target;
    EXPECT_TRUE(head->body.empty());
    // The connection stays usable: a stray body after HEAD would corrupt the next response.
    auto health = connection->RoundTrip("GET", "/healthz");
    ASSERT_TRUE(health.has_value()) << target << ": " << health.error().message;
    EXPECT_EQ(health->body, "ok\n") << target;
  }
  HttpResponse get = Get("/");
  HttpResponse head = Request("HEAD", "/");
  if (head.HasHeader("Content-Length")) {
    EXPECT_EQ(head.Header("Content-Length"), std::to_string(get.body.size()));
  }
}

TEST_F(ReadRoutes, HeadOfUnknownPostIs404) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpResponse head = Request("HEAD", "/12345");
  EXPECT_EQ(head.status, 404);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(ReadRoutes, OtherMethodsGet405WithAllow) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("method target", "body");
  ASSERT_GT(id, 0);
  struct Case {
    std::string method, target, allowed;
  };
  for (const Case& c :
       {Case{"PUT", "/", "POST"}, Case{"DELETE", "/", "GET"}, Case{"PATCH", PostPath(id), "PUT"},
        Case{"POST", PostPath(id), "DELETE"}, Case{"POST", "/healthz", "GET"},
        Case{"PATCH", "/metrics", "GET"}, Case{"BREW", "/", "GET"}}) {
    HttpResponse response = Request(c.method, c.target);
    EXPECT_EQ(response.status, 405) << c.method << " " << c.target;
    EXPECT_NE(response.Header("Allow").find(c.allowed), std::string::npos)
        << c.method << " " << c.target << " Allow: " << response.Header("Allow");
  }
}

}  // namespace
}  // namespace fourdollar::e2e
