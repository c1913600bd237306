#include "scenario/capture.h"

#include <re2/re2.h>

#include <gtest/gtest.h>

#include <set>

namespace fourdollar::scenario {
namespace {

Capture RegexCapture(const char* expression, Capture::Pick pick) {
  Capture capture;
  capture.kind = Capture::Kind::kRegex;
  capture.expression = expression;
  capture.regex = std::make_shared<const re2::RE2>(expression);
  capture.pick = pick;
  capture.as = "value";
  return capture;
}

Capture Of(Capture::Kind kind, const char* expression, Capture::Pick pick = Capture::Pick::kFirst) {
  Capture capture;
  capture.kind = kind;
  capture.expression = expression;
  capture.pick = pick;
  capture.as = "value";
  return capture;
}

constexpr std::string_view kListPage =
    R"(<ul><li><a href="/3">c</a></li><li><a href="/2">b</a></li><li><a href="/1">a</a></li></ul>)";

TEST(Capture, RegexTakesTheFirstGroupOfTheFirstMatch) {
  Random random(1);
  EXPECT_EQ(ApplyCapture(RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kFirst), 200, {},
                         kListPage, random),
            "3");
}

TEST(Capture, RegexRandomPickSpreadsOverAllMatches) {
  const Capture capture = RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kRandom);
  Random random(2);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(*ApplyCapture(capture, 200, {}, kListPage, random));
  EXPECT_EQ(seen, (std::set<std::string>{"1", "2", "3"}));
}

TEST(Capture, RegexAllJoinsWithCommas) {
  Random random(3);
  EXPECT_EQ(ApplyCapture(RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kAll), 200, {},
                         kListPage, random),
            "3,2,1");
}

TEST(Capture, NothingMatchedIsNoValue) {
  Random random(4);
  EXPECT_EQ(ApplyCapture(RegexCapture(R"re(id="(\d+)")re", Capture::Pick::kRandom), 200, {},
                         kListPage, random),
            std::nullopt);
}

TEST(Capture, ErrorResponsesCaptureNothing) {
  Random random(4);
  EXPECT_EQ(ApplyCapture(RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kFirst), 500, {},
                         kListPage, random),
            std::nullopt);
}

TEST(Capture, JsonPathFollowsMembersAndIndexes) {
  constexpr std::string_view body =
      R"({"items":[{"id":7,"name":"a\"b"},{"id":8,"tags":["x","y"]}],"ok":true})";
  Random random(5);
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kJsonPath, "items[1].id"), 200, {}, body, random), "8");
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kJsonPath, "items[0].name"), 200, {}, body, random),
            "a\"b");
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kJsonPath, "ok"), 200, {}, body, random), "true");
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kJsonPath, "items[1].tags", Capture::Pick::kAll), 200,
                         {}, body, random),
            "x,y");
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kJsonPath, "items[0]"), 200, {}, body, random),
            R"({"id":7,"name":"a\"b"})");
}

TEST(Capture, JsonPathMissingOrBodyNotJsonIsNoValue) {
  Random random(6);
  EXPECT_EQ(
      ApplyCapture(Of(Capture::Kind::kJsonPath, "items[5].id"), 200, {}, R"({"items":[]})", random),
      std::nullopt);
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kJsonPath, "a.b"), 200, {}, R"({"a":1})", random),
            std::nullopt);
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kJsonPath, "a"), 200, {}, "<html>", random),
            std::nullopt);
}

TEST(Capture, HeaderIsMatchedWithoutRegardToCase) {
  const std::vector<http::Header> headers = {{"Content-Type", "text/html"}, {"Location", "/"}};
  Random random(7);
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kHeader, "location"), 200, headers, "", random), "/");
  EXPECT_EQ(ApplyCapture(Of(Capture::Kind::kHeader, "Set-Cookie"), 200, headers, "", random),
            std::nullopt);
}

TEST(CaptureMemo, GivesTheValuesASearchGivesRandomDrawsIncluded) {
  const Capture random_pick = RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kRandom);
  const Capture all = RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kAll);
  const Capture first = RegexCapture(R"re(>(\w)<)re", Capture::Pick::kFirst);
  const std::string other = R"(<p><a href="/40">x</a> <a href="/41">y</a></p>)";
  Random searched(5);
  Random remembered(5);
  CaptureMemo memo;
  for (int i = 0; i < 60; ++i) {
    const std::string_view body = i % 7 == 6 ? std::string_view(other) : kListPage;
    for (const Capture* capture : {&random_pick, &all, &first}) {
      EXPECT_EQ(ApplyCapture(*capture, 200, {}, body, remembered, &memo),
                ApplyCapture(*capture, 200, {}, body, searched))
          << "iteration " << i << ", " << capture->expression;
    }
  }
  EXPECT_GT(memo.hits(), 100u);
}

TEST(CaptureMemo, SearchesAgainWhenTheBodyChangesEvenInItsLastByte) {
  const Capture capture = RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kAll);
  CaptureMemo memo;
  Random random(6);
  std::string body(kListPage);
  EXPECT_EQ(ApplyCapture(capture, 200, {}, body, random, &memo), "3,2,1");
  EXPECT_EQ(ApplyCapture(capture, 200, {}, body, random, &memo), "3,2,1");
  EXPECT_EQ(memo.hits(), 1u);
  const size_t last = body.rfind("/1\"");
  body[last + 1] = '9';  // same length, one byte different
  EXPECT_EQ(ApplyCapture(capture, 200, {}, body, random, &memo), "3,2,9");
  body += "<a href=\"/7\">";  // longer
  EXPECT_EQ(ApplyCapture(capture, 200, {}, body, random, &memo), "3,2,9,7");
  EXPECT_EQ(ApplyCapture(capture, 200, {}, "", random, &memo), std::nullopt);
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(memo.misses(), 4u);
}

TEST(CaptureMemo, KeepsOneEntryPerCaptureAndSearchesLongBodiesEveryTime) {
  const Capture links = RegexCapture(R"re(href="/(\d+)")re", Capture::Pick::kFirst);
  const Capture titles = RegexCapture(R"re(>(\w)<)re", Capture::Pick::kFirst);
  CaptureMemo memo;
  Random random(7);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ApplyCapture(links, 200, {}, kListPage, random, &memo), "3");
    EXPECT_EQ(ApplyCapture(titles, 200, {}, kListPage, random, &memo), "c");
  }
  EXPECT_EQ(memo.misses(), 2u);
  EXPECT_EQ(memo.hits(), 4u);
  std::string long_body(CaptureMemo::kMaxBodyBytes, ' ');
  long_body += R"(<a href="/12">)";
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(ApplyCapture(links, 200, {}, long_body, random, &memo), "12");
  }
  EXPECT_EQ(memo.misses(), 4u);
  EXPECT_EQ(memo.hits(), 4u);
  EXPECT_EQ(ApplyCapture(links, 200, {}, kListPage, random, &memo), "3");  // still kept
  EXPECT_EQ(memo.hits(), 5u);
}

TEST(JsonPath, ParsesMembersAndIndexes) {
  auto steps = ParseJsonPath("a.b[2][0].c");
  ASSERT_TRUE(steps);
  ASSERT_EQ(steps->size(), 5u);
  EXPECT_EQ((*steps)[0].member, "a");
  EXPECT_EQ((*steps)[2].index, 2);
  EXPECT_EQ((*steps)[3].index, 0);
  EXPECT_EQ((*steps)[4].member, "c");
}

TEST(JsonPath, RejectsMalformedPaths) {
  for (const char* bad : {"", "a..b", "a.", "a[", "a[x]", "a[-1]", ".a"}) {
    EXPECT_FALSE(ParseJsonPath(bad)) << bad;
  }
}

}  // namespace
}  // namespace fourdollar::scenario
