#include "http/router.h"

#include <gtest/gtest.h>

namespace fourdollar::http {
namespace {

Router MakeRouter() {
  Router router(std::string("s3cret-token-of-some-length"));
  auto noop = [](const Request&, std::string_view, Reply) {};
  router.Add({.method = Method::kGet, .pattern = "/", .name = "list", .handler = noop});
  router.Add({.method = Method::kGet, .pattern = "/healthz", .name = "healthz", .handler = noop});
  router.Add({.method = Method::kGet, .pattern = "/{id}", .name = "post", .handler = noop});
  router.Add({.method = Method::kPost,
              .pattern = "/",
              .name = "create",
              .handler = noop,
              .body_limit_bytes = 100,
              .media_type = "application/json",
              .requires_write_token = true});
  return router;
}

RequestHead Head(Method method, std::string_view path) {
  RequestHead head;
  head.method = method;
  head.path = path;
  return head;
}

RequestHead GoodPost() {
  RequestHead head = Head(Method::kPost, "/");
  head.content_type = "application/json; charset=utf-8";
  head.authorization = "Bearer s3cret-token-of-some-length";
  head.content_length = 10;
  return head;
}

TEST(Router, ExactPathWinsOverParameter) {
  Router router = MakeRouter();
  RouteMatch match = router.Check(Head(Method::kGet, "/healthz"));
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "healthz");
}

TEST(Router, CapturesParameterSegment) {
  Router router = MakeRouter();
  RouteMatch match = router.Check(Head(Method::kGet, "/42"));
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "post");
  EXPECT_EQ(match.param, "42");
}

TEST(Router, HeadMatchesGetRoute) {
  Router router = MakeRouter();
  EXPECT_NE(router.Check(Head(Method::kHead, "/")).route, nullptr);
}

TEST(Router, UnknownPathIs404) {
  Router router = MakeRouter();
  RouteMatch match = router.Check(Head(Method::kGet, "/a/b"));
  ASSERT_TRUE(match.refusal);
  EXPECT_EQ(match.refusal->status, 404);
}

TEST(Router, OtherMethodIs405WithAllow) {
  Router router = MakeRouter();
  RouteMatch match = router.Check(Head(Method::kDelete, "/"));
  ASSERT_TRUE(match.refusal);
  EXPECT_EQ(match.refusal->status, 405);
  ASSERT_FALSE(match.refusal->headers.empty());
  EXPECT_EQ(match.refusal->headers[0].name, "Allow");
  EXPECT_NE(match.refusal->headers[0].value.find("POST"), std::string::npos);
}

TEST(Router, AcceptsGoodPost) {
  Router router = MakeRouter();
  RouteMatch match = router.Check(GoodPost());
  EXPECT_FALSE(match.refusal.has_value());
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "create");
}

TEST(Router, MissingTokenIs401) {
  Router router = MakeRouter();
  RequestHead head = GoodPost();
  head.authorization = "";
  ASSERT_TRUE(router.Check(head).refusal);
  EXPECT_EQ(router.Check(head).refusal->status, 401);
}

TEST(Router, WrongTokenIs401) {
  Router router = MakeRouter();
  RequestHead head = GoodPost();
  head.authorization = "Bearer s3cret-token-of-some-lengtH";
  EXPECT_EQ(router.Check(head).refusal->status, 401);
}

TEST(Router, OpenWritesNeedNoToken) {
  Router router(std::nullopt);
  router.Add({.method = Method::kPost,
              .pattern = "/",
              .name = "create",
              .body_limit_bytes = 100,
              .requires_write_token = true});
  RequestHead head = GoodPost();
  head.authorization = "";
  EXPECT_FALSE(router.Check(head).refusal.has_value());
}

TEST(Router, WrongMediaTypeIs415) {
  Router router = MakeRouter();
  RequestHead head = GoodPost();
  head.content_type = "text/plain";
  EXPECT_EQ(router.Check(head).refusal->status, 415);
}

TEST(Router, BodyOverLimitIs413) {
  Router router = MakeRouter();
  RequestHead head = GoodPost();
  head.content_length = 101;
  EXPECT_EQ(router.Check(head).refusal->status, 413);
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace fourdollar::http
