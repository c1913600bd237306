// Validators and revalidation on the real binary: strong ETags that change exactly when a page
// does, If-None-Match and If-Modified-Since giving 304, and HEAD on every GET route; a cached
// list page and its compressed copy show a post as soon as its 303 came (SQLite, PostgreSQL).
#include <zlib.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class HttpCaching : public ServerTest {};

TEST_F(HttpCaching, PagesCarryValidatorsAndRevalidateTo304) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("Cached", "text");
  for (const std::string& target : {std::string("/"), PostPath(id)}) {
    HttpResponse full = Get(target);
    ASSERT_EQ(full.status, 200) << target;
    const std::string etag = full.Header("ETag");
    EXPECT_EQ(etag.size(), 18u) << etag;  // "<16 hex digits>"
    EXPECT_EQ(etag.front(), '"');
    EXPECT_EQ(full.Header("Cache-Control"), "no-cache");
    const std::string modified = full.Header("Last-Modified");
    EXPECT_NE(modified.find(" GMT"), std::string::npos) << modified;

    HttpResponse same = Request("GET", target, {{"If-None-Match", etag}});
    EXPECT_EQ(same.status, 304) << target;
    EXPECT_TRUE(same.body.empty());
    EXPECT_EQ(same.Header("ETag"), etag);
    EXPECT_EQ(Request("GET", target, {{"If-None-Match", "\"x\", W/" + etag}}).status, 304);
    EXPECT_EQ(Request("GET", target, {{"If-None-Match", "\"0123456789abcdef\""}}).status, 200);
    EXPECT_EQ(Request("GET", target, {{"If-Modified-Since", modified}}).status, 304) << target;
    EXPECT_EQ(
        Request("GET", target, {{"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}}).status,
        200);
    // If-None-Match decides alone when both are sent.
    EXPECT_EQ(Request("GET", target,
                      {{"If-None-Match", "\"0123456789abcdef\""}, {"If-Modified-Since", modified}})
                  .status,
              200);
    EXPECT_EQ(Request("HEAD", target, {{"If-None-Match", etag}}).status, 304);
  }
}

TEST_F(HttpCaching, TheListsLastModifiedIsTheSameFromEveryLoopThread) {
  // Two loop threads, each with its own copy of the list page; new connections are spread over
  // them (SO_REUSEPORT).
  ServerOptions options;
  options.args = {"--threads", "2"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  CreatePostAndFindId("Listed", "text");
  const std::string first = Get("/").Header("Last-Modified");
  const std::string feed_first = Get("/feed.xml").Header("Last-Modified");
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(feed_first.empty());
  // The wall clock passes a second: a copy rendered now on the other thread must still say
  // the same, or a conditional request would get 304 from one thread and 200 from the other.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Get("/").Header("Last-Modified"), first) << "request " << i;
    EXPECT_EQ(Get("/feed.xml").Header("Last-Modified"), feed_first) << "request " << i;
  }
}

TEST_F(HttpCaching, EtagChangesExactlyWhenThePageDoes) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t first = CreatePostAndFindId("First", "one");
  const std::string list_tag = Get("/").Header("ETag");
  const std::string post_tag = Get(PostPath(first)).Header("ETag");
  // Asked again: the same bytes, the same tag.
  EXPECT_EQ(Get("/").Header("ETag"), list_tag);
  EXPECT_EQ(Get(PostPath(first)).Header("ETag"), post_tag);

  // A new post changes the list, not the first post's page.
  int64_t second = CreatePostAndFindId("Second", "two");
  const std::string list_tag2 = Get("/").Header("ETag");
  EXPECT_NE(list_tag2, list_tag);
  EXPECT_EQ(Request("GET", "/", {{"If-None-Match", list_tag}}).status, 200);
  EXPECT_EQ(Get(PostPath(first)).Header("ETag"), post_tag);

  // An edit changes the post's page and the list (its title).
  ASSERT_EQ(Request("PUT", PostPath(first), JsonHeaders(server_->token()),
                    PostJson("First, edited", "one"))
                .status,
            303);
  EXPECT_NE(Get(PostPath(first)).Header("ETag"), post_tag);
  EXPECT_EQ(Request("GET", PostPath(first), {{"If-None-Match", post_tag}}).status, 200);
  const std::string list_tag3 = Get("/").Header("ETag");
  EXPECT_NE(list_tag3, list_tag2);

  // A delete changes the list.
  ASSERT_EQ(
      Request("DELETE", PostPath(second), {{"Authorization", "Bearer " + server_->token()}}).status,
      204);
  EXPECT_NE(Get("/").Header("ETag"), list_tag3);
}

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return {};
  std::string out(4 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return result == Z_STREAM_END ? out : std::string();
}

TEST_F(HttpCaching, CompressedCopiesFollowAcceptEncodingWithTheirOwnTags) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (int i = 0; i < 10; ++i) CreatePost("Compressible title " + std::to_string(i), "body");
  HttpResponse plain = Get("/");
  ASSERT_EQ(plain.status, 200);
  EXPECT_FALSE(plain.HasHeader("Content-Encoding"));
  EXPECT_EQ(plain.Header("Vary"), "Accept-Encoding");

  HttpResponse gz = Request("GET", "/", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.Header("Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_EQ(Gunzip(gz.body), plain.body);
  const std::string gz_tag = gz.Header("ETag");
  EXPECT_NE(gz_tag, plain.Header("ETag"));
  EXPECT_NE(gz_tag.find("-gzip\""), std::string::npos) << gz_tag;

  HttpResponse br = Request("GET", "/", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(br.Header("Content-Encoding"), "br");
  EXPECT_LT(br.body.size(), plain.body.size());
  // q=0 refuses a coding.
  EXPECT_EQ(Request("GET", "/", {{"Accept-Encoding", "br;q=0, gzip"}}).Header("Content-Encoding"),
            "gzip");
  EXPECT_FALSE(
      Request("GET", "/", {{"Accept-Encoding", "gzip;q=0"}}).HasHeader("Content-Encoding"));
  // The compressed copy's tag revalidates.
  HttpResponse again =
      Request("GET", "/", {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz_tag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.Header("ETag"), gz_tag);
}

TEST_F(HttpCaching, HeadAnswersEveryGetRouteWithTheSameHeadersAndNoBody) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("Head", "body");
  for (const std::string& target :
       {std::string("/"), PostPath(id), std::string("/healthz"), std::string("/?before=999")}) {
    HttpResponse get = Get(target);
    auto connection = Connect();
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE(connection->Send(FormatRequest("HEAD", target)));
    auto head = connection->ReadResponse(/*head_request=*/true);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->status, get.status) << target;
    EXPECT_TRUE(head->body.empty());
    EXPECT_EQ(head->Header("Content-Length"), std::to_string(get.body.size())) << target;
    EXPECT_EQ(head->Header("Content-Type"), get.Header("Content-Type"));
    EXPECT_EQ(head->Header("ETag"), get.Header("ETag"));
  }
  // Pages of deleted and unknown posts too.
  ASSERT_EQ(
      Request("DELETE", PostPath(id), {{"Authorization", "Bearer " + server_->token()}}).status,
      204);
  EXPECT_EQ(Request("HEAD", PostPath(id)).status, 410);
  EXPECT_EQ(Request("HEAD", "/424242").status, 404);
}

// The list page is cached, and its gzip copy made, before each post; right after the 303 the
// next GET, plain or gzip (whichever comes first), must list the new post.
class CachedListAfterA303 : public EachStoreTest {
 protected:
  bool Lists(const std::string& html, const std::string& title) {
    for (const PostLink& link : ParseListLinks(html)) {
      if (link.title == title) return true;
    }
    return false;
  }
};

TEST_P(CachedListAfterA303, PlainAndGzipListsShowThePostRightAfterThe303) {
  const Headers gzip = {{"Accept-Encoding", "gzip"}};
  for (int i = 0; i < 20; ++i) {
    HttpResponse before = Get("/");
    ASSERT_EQ(before.status, 200);
    ASSERT_EQ(Request("GET", "/", gzip).status, 200);
    const std::string title = "written " + std::to_string(i);
    HttpResponse created = CreatePost(title, "read right after");
    ASSERT_EQ(created.status, 303) << created.body;
    HttpResponse plain;
    HttpResponse zipped;
    if (i % 2 == 0) {
      zipped = Request("GET", "/", gzip);
      plain = Get("/");
    } else {
      plain = Get("/");
      zipped = Request("GET", "/", gzip);
    }
    EXPECT_TRUE(Lists(plain.body, title)) << i << ": " << plain.body;
    ASSERT_EQ(zipped.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(Gunzip(zipped.body), plain.body) << i;
    EXPECT_NE(plain.Header("ETag"), before.Header("ETag")) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, CachedListAfterA303, ::testing::Values(false, true), StoreName);

}  // namespace
}  // namespace fourdollar::e2e
