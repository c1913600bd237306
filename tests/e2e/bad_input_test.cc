// Hostile and malformed input at the HTTP edge of the real server: request smuggling forms are
// refused and the request hidden behind them is never answered; text that is not UTF-8 is
// refused with a reason; markup and SQL in posts are stored as they are and shown escaped; odd
// post ids get the statuses docs/http-api.md names.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "e2e/acknowledged_writers.h"
#include "e2e/blog_pages.h"
#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

constexpr int kRequestTimeoutMs = 1000;

// A complete, valid request that would store a post titled "smuggled": answered only if the
// server took it for a request of its own.
std::string SmuggledPost() {
  return FormatRequest("POST", "/", {{"Content-Type", "application/json"}},
                       PostJson("smuggled", "this request hid behind another"));
}

std::string JsonPostHead(const std::string& framing) {
  return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing + "\r\n";
}

const std::string kJson = PostJson("t", "b");

std::string Hex(size_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "%zx", value);
  return text;
}

struct SmugglingCase {
  const char* name;
  std::string bytes;  // sent with SmuggledPost() right behind them
  int status;
};

void PrintTo(const SmugglingCase& c, std::ostream* out) { *out << c.name; }

const SmugglingCase kSmuggling[] = {
    {"ContentLengthThenTransferEncoding",
     JsonPostHead("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n", 400},
    {"TransferEncodingThenContentLength",
     JsonPostHead("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n") + "0\r\n\r\n", 400},
    {"TwoDifferentContentLengths",
     JsonPostHead("Content-Length: " + std::to_string(kJson.size()) + "\r\nContent-Length: 3\r\n") +
         kJson,
     400},
    {"ContentLengthWithPlusSign",
     JsonPostHead("Content-Length: +" + std::to_string(kJson.size()) + "\r\n") + kJson, 400},
    {"ContentLengthWithSpaceInside", JsonPostHead("Content-Length: 1 5\r\n") + kJson, 400},
    {"ContentLengthInHex", JsonPostHead("Content-Length: 0x10\r\n") + kJson, 400},
    {"ContentLengthOverflowing64Bits",
     JsonPostHead("Content-Length: 99999999999999999999999\r\n") + kJson, 400},
    {"ContentLengthFolded",
     JsonPostHead("Content-Length:\r\n " + std::to_string(kJson.size()) + "\r\n") + kJson, 400},
    {"TransferEncodingFolded", JsonPostHead("Transfer-Encoding:\r\n chunked\r\n") + "0\r\n\r\n",
     400},
    {"TransferEncodingWithSpaceBeforeColon",
     JsonPostHead("Transfer-Encoding : chunked\r\n") + "0\r\n\r\n", 400},
    {"ChunkSizeOverflowing64Bits",
     JsonPostHead("Transfer-Encoding: chunked\r\n") + "ffffffffffffffffffff\r\nab\r\n0\r\n\r\n",
     400},
    {"NegativeChunkSize", JsonPostHead("Transfer-Encoding: chunked\r\n") + "-1\r\nab\r\n0\r\n\r\n",
     400},
    {"ChunkLinesEndingInBareLf", JsonPostHead("Transfer-Encoding: chunked\r\n") + "2\nab\n0\n\n",
     400},
    {"BareLfLineEndings",
     "POST / HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: " +
         std::to_string(kJson.size()) + "\n\n" + kJson,
     400},
    {"BareCrLineEndings",
     "POST / HTTP/1.1\rHost: x\rContent-Type: application/json\rContent-Length: " +
         std::to_string(kJson.size()) + "\r\r" + kJson,
     400},
    {"BareCrInsideAHeader", JsonPostHead("X-A: a\rContent-Length: 0\r\n"), 400},
    {"ChunkedThenIdentity", JsonPostHead("Transfer-Encoding: chunked, identity\r\n") + "0\r\n\r\n",
     501},
    {"IdentityAlone", JsonPostHead("Transfer-Encoding: identity\r\n") + kJson, 501},
    {"TransferEncodingInHttp10",
     "POST / HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
     "chunked\r\n\r\n0\r\n\r\n",
     400},
};

class Smuggling : public ServerTest, public ::testing::WithParamInterface<SmugglingCase> {
 protected:
  void SetUp() override {
    ServerOptions options;
    // Open writes, so a smuggled post would be stored if it were ever taken as a request.
    options.args = {"--open-writes", "--request-timeout-ms", std::to_string(kRequestTimeoutMs)};
    if (over_tls_) {
      ASSERT_NO_FATAL_FAILURE(StartTlsServer(options));
    } else {
      ASSERT_NO_FATAL_FAILURE(StartServer(options));
    }
  }

  void ExpectRefusedAlone(const SmugglingCase& c);

  bool over_tls_ = false;

  void ExpectNothingStored() {
    HttpResponse list = Get("/");
    EXPECT_EQ(list.status, 200);
    EXPECT_TRUE(ParseListLinks(list.body).empty()) << list.body;
  }
};

// The same forms inside TLS records: decryption changes nothing about how they are parsed.
class SmugglingOverTls : public Smuggling {
 protected:
  SmugglingOverTls() { over_tls_ = true; }
};

TEST_P(Smuggling, IsRefusedWithItsStatusAndTheHiddenRequestIsNeverAnswered) {
  ExpectRefusedAlone(GetParam());
}

TEST_P(SmugglingOverTls, IsRefusedWithItsStatusAndTheHiddenRequestIsNeverAnswered) {
  ExpectRefusedAlone(GetParam());
}

void Smuggling::ExpectRefusedAlone(const SmugglingCase& c) {
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  ASSERT_TRUE(connection->Send(c.bytes + SmuggledPost()).has_value());
  auto received = connection->ReadUntilClosed(5000);
  ASSERT_TRUE(received.has_value()) << "connection not closed: " << received.error().message;
  // Exactly one answer, the refusal, with a reason in its body.
  ASSERT_TRUE(received->starts_with("HTTP/1.1 ")) << *received;
  EXPECT_EQ(std::stoi(received->substr(9, 3)), c.status) << *received;
  const std::string status = std::to_string(c.status) + " ";
  const size_t body = received->find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << *received;
  const size_t length_at = received->find("Content-Length: ");
  ASSERT_LT(length_at, body) << *received;
  const size_t length = std::stoul(received->substr(length_at + 16));
  EXPECT_EQ(received->size(), body + 4 + length) << "more than one answer: " << *received;
  EXPECT_TRUE(received->substr(body + 4).starts_with(status)) << *received;
  EXPECT_GT(received->size(), body + 4 + status.size() + 10) << "no reason: " << *received;
  ASSERT_NO_FATAL_FAILURE(ExpectNothingStored());
}

INSTANTIATE_TEST_SUITE_P(Forms, Smuggling, ::testing::ValuesIn(kSmuggling),
                         [](const auto& test) { return std::string(test.param.name); });
INSTANTIATE_TEST_SUITE_P(Forms, SmugglingOverTls, ::testing::ValuesIn(kSmuggling),
                         [](const auto& test) { return std::string(test.param.name); });

// Forms whose length is not in doubt are one request each: the one behind is answered too.
TEST_F(Smuggling, AgreeingLengthsAreOneRequestAndTheNextIsAnsweredToo) {
  const std::string length = std::to_string(kJson.size());
  const std::string unambiguous[] = {
      JsonPostHead("Content-Length: " + length + "\r\nContent-Length: " + length + "\r\n") + kJson,
      JsonPostHead("Content-Length: " + length + ", " + length + "\r\n") + kJson,
      JsonPostHead("Content-Length:   " + length + "  \r\n") + kJson,
      JsonPostHead("Transfer-Encoding: Chunked\r\n") + "3\r\n" + kJson.substr(0, 3) + "\r\n" +
          Hex(kJson.size() - 3) + "\r\n" + kJson.substr(3) + "\r\n0\r\n\r\n",
  };
  for (const std::string& first : unambiguous) {
    auto connection = Connect();
    ASSERT_TRUE(connection.has_value()) << connection.error().message;
    ASSERT_TRUE(connection->Send(first + SmuggledPost()).has_value());
    for (int i = 0; i < 2; ++i) {
      auto response = connection->ReadResponse();
      ASSERT_TRUE(response.has_value()) << first << ": " << response.error().message;
      EXPECT_EQ(response->status, 303) << first << ": " << response->body;
    }
  }
  HttpResponse list = Get("/");
  EXPECT_EQ(ParseListLinks(list.body).size(), 8u) << list.body;
}

class BadInput : public ServerTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer()); }

  HttpResponse PostRaw(std::string_view json) {
    return Request("POST", "/", JsonHeaders(server_->token()), json);
  }
};

TEST_F(BadInput, TextThatIsNotUtf8Is400NamingTheByte) {
  const std::string raw[] = {
      PostJson("a\xff", "b"),             // a byte that is never UTF-8
      PostJson("a", "b\xc0\xaf"),         // an overlong '/'
      PostJson("\xed\xa0\x80", "b"),      // an encoded surrogate
      PostJson("a", "\xf4\x90\x80\x80"),  // past U+10FFFF
      PostJson("a", "b\xe2\x82"),         // cut short
      PostJson("a", "b") + "\x80",        // outside the strings
  };
  for (const std::string& json : raw) {
    HttpResponse response = PostRaw(json);
    EXPECT_EQ(response.status, 400) << json;
    EXPECT_NE(response.body.find("not valid UTF-8 (at byte "), std::string::npos) << response.body;
  }
  // Escapes that cannot become UTF-8: lone or reversed surrogates.
  for (const char* json :
       {R"({"title":"\ud800","body":"b"})", R"({"title":"t","body":"\udc00x"})",
        R"({"title":"\ud800\u0041","body":"b"})", R"({"title":"\udc00\ud800","body":"b"})"}) {
    HttpResponse response = PostRaw(json);
    EXPECT_EQ(response.status, 400) << json;
    EXPECT_NE(response.body.find("not valid JSON"), std::string::npos) << response.body;
  }
  EXPECT_TRUE(ParseListLinks(Get("/").body).empty());
}

TEST_F(BadInput, MarkupAndSqlAreStoredLiterallyAndShownEscaped) {
  const std::vector<std::pair<std::string, std::string>> posts = {
      {"<script>alert('x')</script>", "<img src=x onerror=alert(1)> & <b>bold</b>"},
      {"Tom & \"Jerry\" <b>'quoted'</b>", "&amp; stays &amp; and &lt; stays &lt;"},
      {"' ; DROP TABLE posts; --", "'); DELETE FROM posts WHERE 1=1; --"},
      {"Robert\"); DROP TABLE posts;--", "1' OR '1'='1"},
  };
  std::vector<AcknowledgedPost> stored;
  for (const auto& [title, body] : posts) {
    HttpResponse created = CreatePost(title, body);
    ASSERT_EQ(created.status, 303) << created.body;
    stored.push_back({ParseStoredId(created.body).value_or(0), title, body});
  }
  HttpResponse list = Get("/");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find("<script>alert"), std::string::npos) << list.body;
  EXPECT_NE(list.body.find("&lt;script&gt;alert("), std::string::npos) << list.body;
  std::vector<PostLink> links = ParseListLinks(list.body);
  ASSERT_EQ(links.size(), posts.size());
  for (size_t i = 0; i < posts.size(); ++i) {
    EXPECT_EQ(links[posts.size() - 1 - i].title, posts[i].first);  // newest first
  }
  for (const AcknowledgedPost& post : stored) {
    HttpResponse page = Get(PostPath(post.id));
    ASSERT_EQ(page.status, 200);
    // Nothing of the text reaches the page as markup. (The body is Markdown, where "&amp;" is
    // an entity reference: it stays "&amp;" in the HTML, meaning "&".)
    EXPECT_EQ(page.body.find(post.title), std::string::npos) << page.body;
    for (std::string_view markup : {"<img", "<b>", "<script"}) {
      EXPECT_EQ(page.body.find(markup), std::string::npos) << page.body;
    }
  }
  std::vector<std::string> problems = CheckPostPages(server_->host(), server_->port(), stored);
  EXPECT_TRUE(problems.empty()) << problems.front();
  // The table is still there and takes posts.
  EXPECT_EQ(CreatePost("after the SQL", "still here").status, 303);
  EXPECT_EQ(ParseListLinks(Get("/").body).size(), posts.size() + 1);
}

TEST_F(BadInput, OddPostIdsAre404AndOddBeforeIs400) {
  HttpResponse created = CreatePost("the first post", "body");
  ASSERT_EQ(created.status, 303);
  ASSERT_EQ(ParseStoredId(created.body), 1);
  EXPECT_EQ(Get("/1").status, 200);
  for (const char* target : {"/99999999999999999999999", "/9223372036854775808", "/-1", "/0",
                             "/1e3", "/01", "/%31", "/1%00", "/+1", "/1.0", "/0x1", "/%"}) {
    HttpResponse response = Get(target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_NE(response.Header("Content-Type").find("text/html"), std::string::npos) << target;
  }
  // A path under a post is no route at all: the plain 404.
  EXPECT_EQ(Get("/1/").status, 404);
  EXPECT_EQ(Get("/1/../1").status, 404);
  for (const char* before : {"99999999999999999999999", "-1", "0", "1e3", "01", "%31", "", "x"}) {
    HttpResponse response = Get(std::string("/?before=") + before);
    EXPECT_EQ(response.status, 400) << before;
    EXPECT_NE(response.body.find("before must be a post id"), std::string::npos) << response.body;
  }
  EXPECT_EQ(Get("/healthz").status, 200);
}

}  // namespace
}  // namespace fourdollar::e2e
