#include "blog/post_validation.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace fourdollar::blog {
namespace {

std::string Json(std::string_view title, std::string_view body) {
  return "{\"title\":\"" + std::string(title) + "\",\"body\":\"" + std::string(body) + "\"}";
}

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// The error message for `json`, or "" when it is accepted.
std::string Reason(std::string_view json) {
  Result<store::NewPost> post = ParseNewPost(json);
  if (post) return "";
  EXPECT_EQ(post.error().code, ErrorCode::kInvalidArgument);
  return post.error().message;
}

TEST(ParseNewPost, AcceptsTitleAndBody) {
  Result<store::NewPost> post = ParseNewPost(Json("Hello", "First line\\nsecond line"));
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->title, "Hello");
  EXPECT_EQ(post->body, "First line\nsecond line");
}

TEST(ParseNewPost, RendersTheBodyOnceForTheStore) {
  Result<store::NewPost> post = ParseNewPost(Json("Hello", "Some *emphasis*"));
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->body_html, "<p>Some <em>emphasis</em></p>\n");
}

TEST(ParseNewPost, IgnoresExtraFields) {
  Result<store::NewPost> post =
      ParseNewPost(R"({"id":7,"title":"T","tags":["a",{"b":null}],"body":"B","draft":true})");
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->title, "T");
  EXPECT_EQ(post->body, "B");
}

TEST(ParseNewPost, DecodesEscapesIncludingSurrogatePairs) {
  Result<store::NewPost> post = ParseNewPost(Json("caf\\u00e9 \\ud83d\\ude00", "\\\"q\\\" \\t"));
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->title, "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(post->body, "\"q\" \t");
}

struct ReasonCase {
  std::string json;
  std::string want;  // the exact message, or a prefix when it ends with "..."
};

void ExpectReasons(const std::vector<ReasonCase>& cases) {
  for (const ReasonCase& c : cases) {
    std::string got = Reason(c.json);
    std::string_view want = c.want;
    if (want.ends_with("...")) {
      want.remove_suffix(3);
      EXPECT_TRUE(std::string_view(got).starts_with(want)) << c.json << " -> " << got;
    } else {
      EXPECT_EQ(got, want) << c.json;
    }
  }
}

TEST(ParseNewPost, RejectsMalformedJson) {
  ExpectReasons({
      {"", "request body is not valid JSON: ..."},
      {"{", "request body is not valid JSON: ..."},
      {"{\"title\":\"a\",\"body\":\"b\"", "request body is not valid JSON: ..."},
      {"{\"title\":\"a\",\"body\":\"b\",}", "request body is not valid JSON: ..."},
      {"{\"title\":\"a\",\"body\":\"b\"} x", "request body is not valid JSON: ..."},
      {"{\"title\":'a',\"body\":\"b\"}", "request body is not valid JSON: ..."},
      {"{/*c*/\"title\":\"a\",\"body\":\"b\"}", "request body is not valid JSON: ..."},
      {"{\"x\":" + Repeat("[", 20) + Repeat("]", 20) + ",\"title\":\"a\",\"body\":\"b\"}",
       "request body is not valid JSON: ..."},
  });
}

TEST(ParseNewPost, RejectsNonObjects) {
  ExpectReasons({
      {"[]", "request body must be a JSON object, got an array"},
      {"\"title\"", "request body must be a JSON object, got a string"},
      {"42", "request body must be a JSON object, got a number"},
      {"null", "request body must be a JSON object, got null"},
      {"true", "request body must be a JSON object, got a boolean"},
  });
}

TEST(ParseNewPost, RejectsMissingOrWronglyTypedFields) {
  ExpectReasons({
      {"{}", "title is missing"},
      {R"({"body":"b"})", "title is missing"},
      {R"({"title":"t"})", "body is missing"},
      {R"({"Title":"t","body":"b"})", "title is missing"},
      {R"({"title":null,"body":"b"})", "title must be a string, got null"},
      {R"({"title":1,"body":"b"})", "title must be a string, got a number"},
      {R"({"title":["t"],"body":"b"})", "title must be a string, got an array"},
      {R"({"title":"t","body":{"text":"b"}})", "body must be a string, got an object"},
      {R"({"title":"t","body":false})", "body must be a string, got a boolean"},
  });
}

TEST(ParseNewPost, RejectsEmptyOrBlankTitle) {
  ExpectReasons({
      {Json("", "b"), "title must be 1..200 characters, got 0"},
      {Json(" ", "b"), "title must not be only whitespace"},
      {Json("   ", "b"), "title must not be only whitespace"},
      {Json("\\u00a0\\u3000\\u2003", "b"), "title must not be only whitespace"},
      {Json(" x ", "b"), ""},
  });
}

TEST(ParseNewPost, CountsTitleInCodePointsNotBytes) {
  // U+00E9 is two bytes in UTF-8, U+1F600 four: the limit is on characters.
  ExpectReasons({
      {Json(Repeat("\xC3\xA9", 200), "b"), ""},
      {Json(Repeat("\xF0\x9F\x98\x80", 200), "b"), ""},
      {Json(Repeat("a", 200), "b"), ""},
      {Json(Repeat("\xC3\xA9", 201), "b"), "title must be 1..200 characters, got 201"},
      {Json(Repeat("\xF0\x9F\x98\x80", 201), "b"), "title must be 1..200 characters, got 201"},
      {Json(Repeat("a", 201), "b"), "title must be 1..200 characters, got 201"},
  });
}

TEST(ParseNewPost, LimitsBodyInBytes) {
  ExpectReasons({
      {Json("t", ""), "body must be 1..100000 bytes, got 0"},
      {Json("t", Repeat("x", 100000)), ""},
      {Json("t", Repeat("x", 100001)), "body must be 1..100000 bytes, got 100001"},
      // Escapes count once decoded: 50001 two-byte characters are 100002 bytes.
      {Json("t", Repeat("\\u00e9", 50001)), "body must be 1..100000 bytes, got 100002"},
  });
}

TEST(ParseNewPost, RejectsControlCharacters) {
  ExpectReasons({
      {Json("a\\u0000b", "b"),
       "title must not contain control characters, found U+0000 at character 2"},
      {Json("a\\nb", "b"),
       "title must not contain control characters, found U+000A at character 2"},
      {Json("\\t", "b"), "title must not contain control characters, found U+0009 at character 1"},
      {Json("t", "x\\u0000"),
       "body must not contain control characters other than tab, LF and CR, found U+0000 at byte "
       "1"},
      {Json("t", "\\u001b[31m"),
       "body must not contain control characters other than tab, LF and CR, found U+001B at byte "
       "0"},
      {Json("t", "a\\tb\\r\\nc"), ""},
  });
}

TEST(ParseNewPost, RejectsInvalidUtf8) {
  ExpectReasons({
      // Lone surrogates written as escapes cannot become UTF-8.
      {Json("\\ud800", "b"), "request body is not valid JSON: ..."},
      {Json("t", "x\\udc00"), "request body is not valid JSON: ..."},
      {Json("t", "\\ud800\\u0041"), "request body is not valid JSON: ..."},
      // Raw bytes that are not UTF-8: a stray continuation byte, an overlong '/', a truncated
      // sequence, an encoded surrogate, a code point past U+10FFFF.
      {Json("\x80", "b"), "request body is not valid UTF-8 (at byte 10)"},
      {Json("t", "\xC0\xAF"), "request body is not valid UTF-8 (at byte 21)"},
      {Json("t", "\xE2\x82"), "request body is not valid UTF-8 (at byte 21)"},
      {Json("\xED\xA0\x80", "b"), "request body is not valid UTF-8 (at byte 10)"},
      {Json("t", "\xF4\x90\x80\x80"), "request body is not valid UTF-8 (at byte 21)"},
      // Outside the strings too.
      {"{\"title\":\"t\",\"body\":\"b\"}\xFF", "request body is not valid UTF-8 (at byte 24)"},
  });
}

}  // namespace
}  // namespace fourdollar::blog
