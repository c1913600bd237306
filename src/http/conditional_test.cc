#include "http/conditional.h"

#include <gtest/gtest.h>

namespace fourdollar::http {
namespace {

TEST(Conditional, StrongEtagIsStableAndDiffersWithContent) {
  EXPECT_EQ(StrongEtag("hello"), StrongEtag("hello"));
  EXPECT_NE(StrongEtag("hello"), StrongEtag("hellp"));
  // XXH3-64 of "" (seed 0), as xxHash's own test vectors give it.
  EXPECT_EQ(StrongEtag(""), "\"2d06800538d394c2\"");
}

TEST(Conditional, IfNoneMatchComparesWeaklyAndListsAndStar) {
  const std::string tag = "\"0123456789abcdef\"";
  EXPECT_TRUE(IfNoneMatchMatches(tag, tag));
  EXPECT_TRUE(IfNoneMatchMatches("W/" + tag, tag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\" , " + tag, tag));
  EXPECT_TRUE(IfNoneMatchMatches("*", tag));
  EXPECT_TRUE(IfNoneMatchMatches("\"0123456789abcdef-gzip\"", tag));
  EXPECT_FALSE(IfNoneMatchMatches("\"0123456789abcdee\"", tag));
  EXPECT_FALSE(IfNoneMatchMatches("0123456789abcdef", tag));  // unquoted: malformed
}

TEST(Conditional, IfMatchComparesStrongly) {
  const std::string tag = "\"0123456789abcdef\"";
  EXPECT_TRUE(IfMatchMatches(tag, tag));
  EXPECT_TRUE(IfMatchMatches("*", tag));
  EXPECT_TRUE(IfMatchMatches("\"0123456789abcdef-br\"", tag));
  EXPECT_FALSE(IfMatchMatches("W/" + tag, tag));
  EXPECT_FALSE(IfMatchMatches("\"other\"", tag));
}

TEST(Conditional, HttpDatesRoundTripAndOthersAreRefused) {
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 UTC"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate(""), std::nullopt);
}

}  // namespace
}  // namespace fourdollar::http
