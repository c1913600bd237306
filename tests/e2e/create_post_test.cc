// POST /: acceptance, validation (400), token (401), media type (415) and size (413).
#include <string>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class CreatePostTest : public ServerTest {
 protected:
  HttpResponse PostRaw(std::string_view json) {
    return Request("POST", "/", JsonHeaders(server_->token()), json);
  }
  void ExpectNoPosts() {
    HttpResponse list = Get("/");
    EXPECT_TRUE(ParseListLinks(list.body).empty()) << list.body;
  }
};

TEST_F(CreatePostTest, Answers303ToRootAndShowsThePostAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpResponse created = CreatePost("Hello", "First post.");
  EXPECT_EQ(created.status, 303) << created.body;
  EXPECT_EQ(created.Header("Location"), "/");
  std::vector<PostLink> links = ParseListLinks(Get("/").body);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].title, "Hello");
}

TEST_F(CreatePostTest, KeepsUnicodeAndEscapedCharacters) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string title = "Caf\xc3\xa9 \"quoted\" \xf0\x9f\x98\x80";
  int64_t id = CreatePostAndFindId(title, "line one\nline \\two\\ \xe2\x82\xac");
  ASSERT_GT(id, 0);
  HttpResponse page = Get(PostPath(id));
  EXPECT_NE(page.body.find("Caf\xc3\xa9"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("\xf0\x9f\x98\x80"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("\\two\\ \xe2\x82\xac"), std::string::npos) << page.body;
}

TEST_F(CreatePostTest, AcceptsTitleAndBodyAtTheirLimits) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(CreatePost(std::string(200, 't'), "b").status, 303);
  std::string two_hundred_e_acute;
  for (int i = 0; i < 200; ++i) two_hundred_e_acute += "\xc3\xa9";  // 200 chars, 400 bytes
  EXPECT_EQ(CreatePost(two_hundred_e_acute, "b").status, 303);
  EXPECT_EQ(CreatePost("long body", std::string(100000, 'b')).status, 303);
  EXPECT_EQ(CreatePost("x", "y").status, 303);
}

TEST_F(CreatePostTest, RejectsInvalidPostsWith400AndAReason) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  struct Case {
    const char* what;
    std::string json;
  };
  const Case cases[] = {
      {"truncated JSON", R"({"title":"a","body":)"},
      {"not JSON", "title=a&body=b"},
      {"empty body", ""},
      {"an array", R"(["a","b"])"},
      {"a string", R"("a")"},
      {"missing title", R"({"body":"b"})"},
      {"missing body", R"({"title":"a"})"},
      {"title a number", R"({"title":1,"body":"b"})"},
      {"body null", R"({"title":"a","body":null})"},
      {"body an object", R"({"title":"a","body":{"x":1}})"},
      {"bad UTF-8 in title", PostJson("a\xff", "b")},
      {"overlong UTF-8 in body", PostJson("a", "b\xc0\xaf")},
      {"empty title", PostJson("", "b")},
      {"title of 201 chars", PostJson(std::string(201, 't'), "b")},
      {"empty body", PostJson("a", "")},
      {"body of 100001 bytes", PostJson("a", std::string(100001, 'b'))},
      {"trailing garbage", PostJson("a", "b") + "x"},
  };
  for (const Case& c : cases) {
    HttpResponse response = PostRaw(c.json);
    EXPECT_EQ(response.status, 400) << c.what;
    EXPECT_FALSE(response.body.empty()) << c.what << ": no reason given";
  }
  ExpectNoPosts();
}

TEST_F(CreatePostTest, MissingOrWrongTokenIs401WithWwwAuthenticate) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_FALSE(server_->token().empty());
  const Headers cases[] = {
      {{"Content-Type", "application/json"}},
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer wrong"}},
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + server_->token() + "0"}},
      {{"Content-Type", "application/json"}, {"Authorization", "Basic " + server_->token()}},
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer"}},
  };
  for (const Headers& headers : cases) {
    HttpResponse response = Request("POST", "/", headers, PostJson("t", "b"));
    EXPECT_EQ(response.status, 401) << headers.back().second;
    EXPECT_TRUE(response.HasHeader("WWW-Authenticate")) << headers.back().second;
  }
  ExpectNoPosts();
}

TEST_F(CreatePostTest, OtherMediaTypesAre415) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    Headers headers = {{"Authorization", "Bearer " + server_->token()}};
    if (*type != '\0') headers.emplace_back("Content-Type", type);
    EXPECT_EQ(Request("POST", "/", headers, PostJson("t", "b")).status, 415) << type;
  }
  ExpectNoPosts();
}

TEST_F(CreatePostTest, BodyOverOneMebibyteIs413BeforeItIsSent) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (size_t length : {size_t{1} << 21, (size_t{1} << 20) + 1}) {
    auto connection = Connect();
    ASSERT_TRUE(connection.has_value()) << connection.error().message;
    Headers headers = JsonHeaders(server_->token());
    headers.emplace_back("Content-Length", std::to_string(length));
    // Only the head: the answer must come without the body.
    ASSERT_TRUE(connection->Send(FormatRequest("POST", "/", headers)).has_value());
    auto response = connection->ReadResponse();
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 413) << length;
  }
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(CreatePostTest, AcceptsAChunkedBody) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string json = PostJson("chunked", "in two chunks");
  std::string first = json.substr(0, 10), second = json.substr(10);
  Headers headers = JsonHeaders(server_->token());
  headers.emplace_back("Transfer-Encoding", "chunked");
  char sizes[2][16];
  std::snprintf(sizes[0], sizeof sizes[0], "%zx", first.size());
  std::snprintf(sizes[1], sizeof sizes[1], "%zx", second.size());
  std::string body = std::string(sizes[0]) + "\r\n" + first + "\r\n" + sizes[1] + "\r\n" + second +
                     "\r\n0\r\n\r\n";
  auto connection = Connect();
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  ASSERT_TRUE(connection->Send(FormatRequest("POST", "/", headers) + body).has_value());
  auto response = connection->ReadResponse();
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 303) << response->body;
  std::vector<PostLink> links = ParseListLinks(Get("/").body);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].title, "chunked");
}

}  // namespace
}  // namespace fourdollar::e2e
