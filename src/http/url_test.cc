#include "http/url.h"

#include <gtest/gtest.h>

namespace fourdollar::http {
namespace {

TEST(ParseHttpUrl, TakesHostPortAndTargetWithoutTheFragment) {
  auto url = ParseHttpUrl("http://127.0.0.1:8080/a/b?c=1#frag");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme, Url::Scheme::kHttp);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_TRUE(url->port_given);
  EXPECT_EQ(url->target, "/a/b?c=1");
  EXPECT_EQ(url->HostHeader(), "127.0.0.1:8080");
}

TEST(ParseHttpUrl, WithoutPortOrPathTakesTheSchemesPortAndSlash) {
  auto bare = ParseHttpUrl("http://example.com");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->port, 80);
  EXPECT_FALSE(bare->port_given);
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(bare->HostHeader(), "example.com");
  auto query = ParseHttpUrl("http://example.com?q=1");
  ASSERT_TRUE(query) << query.error().message;
  EXPECT_EQ(query->target, "/?q=1");
}

TEST(ParseHttpUrl, TakesIpv6InBrackets) {
  auto v6 = ParseHttpUrl("http://[::1]:81/");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 81);
  EXPECT_EQ(v6->HostHeader(), "[::1]:81");
  auto endpoint = EndpointOf(*v6);
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  EXPECT_EQ(endpoint->ToString(), "[::1]:81");
}

TEST(ParseHttpUrl, TakesHttpsWithPort443) {
  auto url = ParseHttpUrl("https://example.com/x");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme, Url::Scheme::kHttps);
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/x");
}

TEST(ParseHttpUrl, NamesWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"ftp://x/", "URL \"ftp://x/\": expected http://HOST[:PORT][/PATH]"},
      {"127.0.0.1:8080", "URL \"127.0.0.1:8080\": expected http://HOST[:PORT][/PATH]"},
      {"http://", "URL \"http://\": no host"},
      {"http://:80/", "URL \"http://:80/\": no host"},
      {"http://x:0/", "URL \"http://x:0/\": the port must be a number from 1 to 65535"},
      {"http://x:70000/", "URL \"http://x:70000/\": the port must be a number from 1 to 65535"},
      {"http://x:/", "URL \"http://x:/\": the port must be a number from 1 to 65535"},
      {"http://x:8a/", "URL \"http://x:8a/\": the port must be a number from 1 to 65535"},
      {"http://u@x/", "URL \"http://u@x/\": user information in URLs is not supported"},
      {"http://[::1/", "URL \"http://[::1/\": unclosed [ in the host"},
      {"http://[::1]x/", "URL \"http://[::1]x/\": unexpected text after the host"},
  };
  for (const auto& [text, message] : cases) {
    auto url = ParseHttpUrl(text);
    ASSERT_FALSE(url) << text;
    EXPECT_EQ(url.error().message, message);
    EXPECT_EQ(url.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(ParsePlainHttpUrl, RefusesHttpsAsNotSupportedYet) {
  auto https = ParsePlainHttpUrl("https://example.com/");
  ASSERT_FALSE(https);
  EXPECT_EQ(https.error().message, "URL \"https://example.com/\": https is not supported yet");
  EXPECT_TRUE(ParsePlainHttpUrl("http://example.com/"));
}

TEST(EndpointOf, RefusesNamesOtherThanLocalhost) {
  auto local = ParseHttpUrl("http://localhost:8080");
  ASSERT_TRUE(local);
  EXPECT_TRUE(EndpointOf(*local));
  auto named = ParseHttpUrl("http://example.com:8080");
  ASSERT_TRUE(named);
  EXPECT_FALSE(EndpointOf(*named));
}

}  // namespace
}  // namespace fourdollar::http
