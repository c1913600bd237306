#include "http/response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fourdollar::http {
namespace {

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
