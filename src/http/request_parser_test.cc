#include "http/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fourdollar::http {
namespace {

using State = RequestParser::State;

// Feeds `bytes` whole, answering the head with `body_limit`, and returns the final state.
State FeedAll(RequestParser& parser, std::string_view bytes, uint64_t body_limit = 1 << 20) {
  size_t offset = 0;
  while (true) {
    size_t consumed = 0;
    State state = parser.Feed(bytes.substr(offset), &consumed);
    offset += consumed;
    if (state == State::kHeaderDone) {
      parser.SetBodyLimit(body_limit);
      continue;
    }
    return state;
  }
}

// Feeds `pieces` as separate reads of a connection (what was not consumed is fed again with the
// next piece appended), answering the head with a 1 MiB body limit.
State FeedPieces(RequestParser& parser, const std::vector<std::string>& pieces) {
  std::string pending;
  State state = State::kNeedMore;
  for (const std::string& piece : pieces) {
    pending += piece;
    while (true) {
      size_t consumed = 0;
      state = parser.Feed(pending, &consumed);
      pending.erase(0, consumed);
      if (state != State::kHeaderDone) break;
      parser.SetBodyLimit(1 << 20);
    }
    if (state != State::kNeedMore) break;
  }
  return state;
}

TEST(RequestParser, ParsesGetWithQuery) {
  RequestParser parser(8192);
  ASSERT_EQ(FeedAll(parser, "GET /?before=12 HTTP/1.1\r\nHost: x\r\n\r\n"), State::kComplete);
  Request request = parser.TakeRequest();
  EXPECT_EQ(request.method, Method::kGet);
  EXPECT_EQ(request.path, "/");
  EXPECT_EQ(request.query, "before=12");
  EXPECT_TRUE(request.keep_alive);
  std::string_view before;
  ASSERT_TRUE(request.QueryParam("before", &before));
  EXPECT_EQ(before, "12");
}

TEST(RequestParser, StopsAtHeadBeforeBody) {
  RequestParser parser(8192);
  std::string_view bytes =
      "POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed(bytes, &consumed), State::kHeaderDone);
  EXPECT_EQ(parser.Head().content_type, "application/json");
  ASSERT_TRUE(parser.Head().content_length.has_value());
  EXPECT_EQ(*parser.Head().content_length, 2u);
  parser.SetBodyLimit(10);
  size_t more = 0;
  ASSERT_EQ(parser.Feed(bytes.substr(consumed), &more), State::kComplete);
  EXPECT_EQ(parser.TakeRequest().body, "{}");
}

TEST(RequestParser, ReadsChunkedBody) {
  RequestParser parser(8192);
  ASSERT_EQ(
      FeedAll(
          parser,
          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
      State::kComplete);
  EXPECT_EQ(parser.TakeRequest().body, "abcde");
}

TEST(RequestParser, NeedsMoreForPartialHead) {
  RequestParser parser(8192);
  size_t consumed = 0;
  EXPECT_EQ(parser.Feed("GET / HTTP/1.1\r\nHo", &consumed), State::kNeedMore);
}

TEST(RequestParser, HttpOneZeroClosesByDefault) {
  RequestParser parser(8192);
  ASSERT_EQ(FeedAll(parser, "GET / HTTP/1.0\r\n\r\n"), State::kComplete);
  Request request = parser.TakeRequest();
  EXPECT_FALSE(request.keep_alive);
  EXPECT_EQ(request.version_minor, 0);
}

struct BadRequest {
  const char* name;
  std::string bytes;
  int status;
};

class RequestParserErrors : public testing::TestWithParam<BadRequest> {};

TEST_P(RequestParserErrors, RefusesWithStatus) {
  RequestParser parser(256);
  ASSERT_EQ(FeedAll(parser, GetParam().bytes, 16), State::kError) << GetParam().name;
  EXPECT_EQ(parser.ErrorStatus(), GetParam().status) << parser.ErrorReason();
  EXPECT_FALSE(parser.ErrorReason().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, RequestParserErrors,
    testing::Values(
        BadRequest{"garbage request line", "HELLO\r\n\r\n", 400},
        BadRequest{"bad version", "GET / HTTP/9.9\r\n\r\n", 505},
        BadRequest{"not HTTP at all", "NOT HTTP AT ALL\r\n\r\n", 400},
        BadRequest{"absolute target refused", "GET http://x/ HTTP/1.1\r\n\r\n", 400},
        BadRequest{"header without colon", "GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400},
        BadRequest{"NUL in header", std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26), 400},
        BadRequest{"two content lengths",
                   "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
        BadRequest{"bad chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                   400},
        BadRequest{"chunked body over limit",
                   "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" +
                       std::string(32, 'a') + "\r\n0\r\n\r\n",
                   413},
        BadRequest{"oversize header", "GET / HTTP/1.1\r\nX: " + std::string(400, 'a') + "\r\n\r\n",
                   431},
        BadRequest{"obsolete line folding", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400},
        BadRequest{"bare LF line endings", "GET / HTTP/1.1\nHost: x\n\n", 400},
        BadRequest{"bare CR line endings", "GET / HTTP/1.1\rHost: x\r\r", 400},
        BadRequest{"bare CR inside a header", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400},
        BadRequest{"transfer encoding in HTTP/1.0",
                   "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"content length over 64 bits",
                   "POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", 400},
        BadRequest{"content length in hex", "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400},
        BadRequest{"chunk size over 64 bits",
                   "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
                   400},
        BadRequest{"chunked then identity",
                   "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 501}),
    [](const testing::TestParamInfo<BadRequest>& param_info) {
      std::string name;
      for (char c : std::string(param_info.param.name))
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

// Boost 1.81's parser asserted here, in builds with assertions on.
TEST(RequestParser, ChunkedBodyWithOnlyTheLastChunkArrivingByteByByte) {
  RequestParser parser(8192);
  EXPECT_EQ(FeedPieces(parser, {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "0\r\n",
                                "\r", "\n"}),
            State::kComplete);
  EXPECT_EQ(parser.TakeRequest().body, "");
}

TEST(RequestParser, ChunkedBodyArrivingByteByByte) {
  const std::string bytes =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
  std::vector<std::string> pieces;
  for (char c : bytes) pieces.emplace_back(1, c);
  RequestParser parser(8192);
  ASSERT_EQ(FeedPieces(parser, pieces), State::kComplete);
  EXPECT_EQ(parser.TakeRequest().body, "{}");
}

// Found by fuzzing: the body's announced length was reserved (300 GB) before the limit was
// checked.
TEST(RequestParser, ContentLengthOverTheLimitFailsBeforeTheBody) {
  RequestParser parser(8192);
  ASSERT_EQ(FeedAll(parser, "POST / HTTP/1.1\r\nContent-Length: 300000000000\r\n\r\n{}", 1024),
            State::kError);
  EXPECT_EQ(parser.ErrorStatus(), 413);
}

}  // namespace
}  // namespace fourdollar::http
