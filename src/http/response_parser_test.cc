#include "http/response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace fourdollar::http {
namespace {

constexpr std::string_view kRedirect =
    "HTTP/1.1 303 See Other\r\nLocation: /\r\nDate: Thu, 26 Nov 2026 18:00:00 GMT\r\n"
    "Content-Length: 5\r\n\r\nhello";
constexpr std::string_view kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: 7\r\n\r\n"
    "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";

ResponseParser::State FeedAll(ResponseParser& parser, std::string_view bytes, size_t* consumed) {
  return parser.Feed(bytes, consumed);
}

TEST(ResponseParser, KeepsEverythingWithoutAFilter) {
  ResponseParser parser;
  size_t consumed = 0;
  ASSERT_EQ(FeedAll(parser, kRedirect, &consumed), ResponseParser::State::kComplete);
  EXPECT_EQ(consumed, kRedirect.size());
  EXPECT_EQ(parser.response().status, 303);
  EXPECT_EQ(parser.response().headers.size(), 3u);
  EXPECT_EQ(parser.response().HeaderValue("location"), "/");
  EXPECT_EQ(parser.response().body, "hello");
  EXPECT_TRUE(parser.response().keep_alive);
}

TEST(ResponseParser, FilterKeepsOnlyTheNamedHeadersAndNoBody) {
  ResponseFilter filter;
  filter.keep_body = false;
  filter.keep_all_headers = false;
  filter.header_names = {"Location"};
  ResponseParser parser;
  parser.Reset(false, &filter);
  size_t consumed = 0;
  ASSERT_EQ(FeedAll(parser, kRedirect, &consumed), ResponseParser::State::kComplete);
  EXPECT_EQ(consumed, kRedirect.size());  // the body is read, only not kept
  ASSERT_EQ(parser.response().headers.size(), 1u);
  EXPECT_EQ(parser.response().HeaderValue("Location"), "/");
  EXPECT_TRUE(parser.response().body.empty());
}

TEST(ResponseParser, FilterWithBodyKeepsChunkedBody) {
  ResponseFilter filter;
  filter.keep_all_headers = false;
  filter.header_names = {"x-id"};
  ResponseParser parser;
  parser.Reset(false, &filter);
  size_t consumed = 0;
  ASSERT_EQ(FeedAll(parser, kChunked, &consumed), ResponseParser::State::kComplete);
  EXPECT_EQ(parser.response().body, "abcde");
  EXPECT_EQ(parser.response().HeaderValue("X-Id"), "7");
  EXPECT_TRUE(parser.response().HeaderValue("Transfer-Encoding").empty());
}

TEST(ResponseParser, ResetClearsThePreviousResponse) {
  ResponseParser parser;
  size_t consumed = 0;
  ASSERT_EQ(FeedAll(parser, kRedirect, &consumed), ResponseParser::State::kComplete);
  parser.Reset(false);
  EXPECT_EQ(parser.response().status, 0);
  EXPECT_TRUE(parser.response().headers.empty());
  EXPECT_TRUE(parser.response().body.empty());
  ASSERT_EQ(FeedAll(parser, kChunked, &consumed), ResponseParser::State::kComplete);
  EXPECT_EQ(parser.response().status, 200);
  EXPECT_EQ(parser.response().body, "abcde");
  EXPECT_TRUE(parser.response().HeaderValue("Location").empty());
}

TEST(ResponseParser, ParsesAResponseSplitAcrossFeeds) {
  ResponseParser parser;
  std::string pending;
  ResponseParser::State state = ResponseParser::State::kNeedMore;
  for (char c : kRedirect) {
    pending += c;
    size_t consumed = 0;
    state = parser.Feed(pending, &consumed);
    ASSERT_NE(state, ResponseParser::State::kError);
    pending.erase(0, consumed);
  }
  ASSERT_EQ(state, ResponseParser::State::kComplete);
  EXPECT_EQ(parser.response().body, "hello");
}

TEST(ResponseParser, HeadResponseHasNoBodyWhateverItsLength) {
  ResponseParser parser;
  parser.Reset(true);
  constexpr std::string_view kHead = "HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n";
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed(kHead, &consumed), ResponseParser::State::kComplete);
  EXPECT_EQ(consumed, kHead.size());
  EXPECT_TRUE(parser.response().body.empty());
}

TEST(ResponseParser, ConnectionCloseBodyEndsAtEof) {
  ResponseParser parser;
  constexpr std::string_view kUntilClose = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial";
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed(kUntilClose, &consumed), ResponseParser::State::kNeedMore);
  ASSERT_EQ(parser.FeedEof(), ResponseParser::State::kComplete);
  EXPECT_EQ(parser.response().body, "partial");
  EXPECT_FALSE(parser.response().keep_alive);
}

TEST(ResponseParser, GarbageIsAnError) {
  ResponseParser parser;
  size_t consumed = 0;
  EXPECT_EQ(parser.Feed("HTTP/9 abc\r\n\r\n", &consumed), ResponseParser::State::kError);
  EXPECT_FALSE(parser.ErrorReason().empty());
}

using State = ResponseParser::State;

// Feeds `pieces` as separate reads of a connection: what was not consumed is fed again with the
// next piece appended. Returns the state after the last piece.
State FeedPieces(ResponseParser& parser, const std::vector<std::string>& pieces) {
  std::string pending;
  State state = State::kNeedMore;
  for (const std::string& piece : pieces) {
    pending += piece;
    size_t consumed = 0;
    state = parser.Feed(pending, &consumed);
    pending.erase(0, consumed);
    if (state != State::kNeedMore) break;
  }
  return state;
}

TEST(ResponseParser, ParsesChunkedBodyAndTrailer) {
  ResponseParser parser;
  ASSERT_EQ(FeedPieces(parser, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "5\r\nhello\r\n1;x=y\r\n!\r\n0\r\nX-Trailer: 1\r\n\r\n"}),
            State::kComplete);
  ClientResponse response = parser.TakeResponse();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello!");
  EXPECT_TRUE(response.keep_alive);
}

// Boost 1.81's parser asserted here, in builds with assertions on.
TEST(ResponseParser, ChunkedBodyWithOnlyTheLastChunkArrivingByteByByte) {
  ResponseParser parser;
  EXPECT_EQ(FeedPieces(parser, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "0\r\n",
                                "\r", "\n"}),
            State::kComplete);
  EXPECT_EQ(parser.TakeResponse().body, "");
}

TEST(ResponseParser, ChunkedBodyArrivingByteByByte) {
  const std::string bytes =
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  std::vector<std::string> pieces;
  for (char c : bytes) pieces.emplace_back(1, c);
  ResponseParser parser;
  ASSERT_EQ(FeedPieces(parser, pieces), State::kComplete);
  EXPECT_EQ(parser.TakeResponse().body, "abc");
}

TEST(ResponseParser, BodyUntilCloseCompletesAtEof) {
  ResponseParser parser;
  ASSERT_EQ(FeedPieces(parser, {"HTTP/1.0 200 OK\r\n\r\nto the end"}), State::kNeedMore);
  ASSERT_EQ(parser.FeedEof(), State::kComplete);
  ClientResponse response = parser.TakeResponse();
  EXPECT_EQ(response.body, "to the end");
  EXPECT_FALSE(response.keep_alive);
}

}  // namespace
}  // namespace fourdollar::http
