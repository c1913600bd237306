#include "scenario/template.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <regex>
#include <set>

namespace fourdollar::scenario {
namespace {

using Kind = TemplatePart::Kind;

VariableLookup LookupIn(const std::map<std::string, std::string, std::less<>>& values) {
  return [&values](std::string_view name) -> const std::string* {
    const auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  };
}

Template Parse(std::string_view text, bool json = false) {
  auto parsed = ParseTemplate(text, json);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
  return parsed ? *parsed : Template{};
}

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t space = std::min(text.find(' ', at), text.size());
    words.push_back(text.substr(at, space - at));
    at = space + 1;
  }
  return words;
}

TEST(Template, LiteralTextIsOnePart) {
  const Template tmpl = Parse("/posts?x=$1");
  ASSERT_EQ(tmpl.parts.size(), 1u);
  EXPECT_TRUE(tmpl.IsLiteral());
  Random random(1);
  EXPECT_EQ(ExpandTemplate(tmpl, nullptr, random, 0, 0), "/posts?x=$1");
}

TEST(Template, DoubleDollarWritesALiteralPlaceholder) {
  Random random(1);
  EXPECT_EQ(ExpandTemplate(Parse("a$${b}"), nullptr, random, 0, 0), "a${b}");
}

TEST(Template, ExpandsVariablesFromTheLookup) {
  const std::map<std::string, std::string, std::less<>> values = {{"post_id", "17"}};
  const Template tmpl = Parse("/${post_id}/x");
  ASSERT_EQ(tmpl.parts.size(), 3u);
  EXPECT_EQ(tmpl.parts[1].kind, Kind::kVariable);
  Random random(1);
  EXPECT_EQ(ExpandTemplate(tmpl, LookupIn(values), random, 0, 0), "/17/x");
}

TEST(Template, ReportsAMissingVariable) {
  const std::map<std::string, std::string, std::less<>> values;
  std::string out = "GET ";
  Random random(1);
  EXPECT_FALSE(AppendTemplate(Parse("/${post_id}"), LookupIn(values), random, 0, 0, &out));
  EXPECT_EQ(out, "GET /");
}

TEST(Template, AppendsWithoutClearing) {
  std::string out = "prefix:";
  Random random(1);
  EXPECT_TRUE(AppendTemplate(Parse("${vu}-${iteration}"), nullptr, random, 3, 9, &out));
  EXPECT_EQ(out, "prefix:3-9");
}

TEST(Template, RandomWordsAreBuiltInWordsWithinTheCount) {
  const Template tmpl = Parse("${random.words(3,8)}");
  const auto list = RandomWordList();
  EXPECT_GE(list.size(), 200u);
  Random random(2);
  std::set<size_t> counts;
  for (int i = 0; i < 500; ++i) {
    const std::string text = ExpandTemplate(tmpl, nullptr, random, 0, 0);
    const auto words = SplitWords(text);
    ASSERT_GE(words.size(), 3u) << text;
    ASSERT_LE(words.size(), 8u) << text;
    counts.insert(words.size());
    for (std::string_view word : words) {
      ASSERT_NE(std::find(list.begin(), list.end(), word), list.end()) << word;
    }
  }
  EXPECT_EQ(counts.size(), 6u);
}

TEST(Template, RandomTextHasALengthWithinBoundsAndReadableCharacters) {
  const Template tmpl = Parse("${random.text(200,2000)}");
  Random random(3);
  const std::regex readable("[A-Za-z ,.]*");
  for (int i = 0; i < 200; ++i) {
    const std::string text = ExpandTemplate(tmpl, nullptr, random, 0, 0);
    ASSERT_GE(text.size(), 200u);
    ASSERT_LE(text.size(), 2000u);
    ASSERT_TRUE(std::regex_match(text, readable)) << text;
  }
}

TEST(Template, RandomIntStaysWithinBoundsAndReachesThem) {
  const Template tmpl = Parse("${random.int(-2, 2)}");
  Random random(4);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(ExpandTemplate(tmpl, nullptr, random, 0, 0));
  EXPECT_EQ(seen, (std::set<std::string>{"-2", "-1", "0", "1", "2"}));
}

TEST(Template, RandomUuidIsAVersion4Uuid) {
  const Template tmpl = Parse("${random.uuid}");
  Random random(5);
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string value = ExpandTemplate(tmpl, nullptr, random, 0, 0);
    EXPECT_TRUE(std::regex_match(value, uuid)) << value;
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Template, RejectsUnknownGeneratorsAndBadBounds) {
  for (const char* bad :
       {"${random.bytes(1,2)}", "${random.words(8,3)}", "${random.int(1)}", "${random.text(a,b)}",
        "${random.words(-1,3)}", "${x.y}", "${}", "/${unclosed"}) {
    auto parsed = ParseTemplate(bad);
    EXPECT_FALSE(parsed) << bad;
  }
  EXPECT_NE(ParseTemplate("${random.bytes(1,2)}").error().message.find("unknown generator"),
            std::string::npos);
}

TEST(Template, JsonEscapesQuotesNewlinesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonEscaped("a\"b\\c\nd\te\x01\x1f/é", &out);
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\te\\u0001\\u001f/é");
}

TEST(Template, EscapedVariablesInAJsonBodyGiveValidJson) {
  const std::map<std::string, std::string, std::less<>> values = {
      {"title", "say \"hi\"\\\n\r\t\x02 done"}};
  Template tmpl;
  AppendLiteral("{\"title\":\"", &tmpl);
  for (TemplatePart& part : Parse("${title} ${random.text(5,50)}", true).parts) {
    AppendPart(std::move(part), &tmpl);
  }
  AppendLiteral("\"}", &tmpl);
  Random random(6);
  const std::string body = ExpandTemplate(tmpl, LookupIn(values), random, 0, 0);
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << body;
  const std::string title(parsed.at("title").as_string());
  EXPECT_TRUE(title.starts_with(values.at("title"))) << title;
}

}  // namespace
}  // namespace fourdollar::scenario
