// PUT /ID and DELETE /ID on the real binary: edits keep the id and creation time, a stale
// If-Match is refused, deleted posts answer 410 and leave the list, bad input changes nothing.
#include <string>
#include <vector>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class EditRoutes : public ServerTest {
 protected:
  HttpResponse Put(int64_t id, std::string_view json, Headers extra = {}) {
    Headers headers = JsonHeaders(server_->token());
    headers.insert(headers.end(), extra.begin(), extra.end());
    return Request("PUT", PostPath(id), headers, json);
  }
  HttpResponse Delete(int64_t id) {
    return Request("DELETE", PostPath(id), {{"Authorization", "Bearer " + server_->token()}});
  }
};

TEST_F(EditRoutes, PutWithCurrentEtagReplacesThePostKeepingIdAndCreation) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("Draft", "first words");
  ASSERT_GT(id, 0);
  HttpResponse before = Get(PostPath(id));
  ASSERT_EQ(before.status, 200);
  const std::string etag = before.Header("ETag");
  ASSERT_FALSE(etag.empty());

  HttpResponse put = Put(id, PostJson("Final", "better words"), {{"If-Match", etag}});
  ASSERT_EQ(put.status, 303) << put.body;
  EXPECT_EQ(put.Header("Location"), PostPath(id));

  HttpResponse after = Get(PostPath(id));
  ASSERT_EQ(after.status, 200);
  std::optional<PostPage> page = ParsePostPage(after.body);
  ASSERT_TRUE(page) << after.body;
  EXPECT_EQ(page->title, "Final");
  EXPECT_EQ(page->body_html, "<p>better words</p>\n");
  EXPECT_NE(after.body.find("Updated"), std::string::npos) << after.body;
  EXPECT_NE(after.Header("ETag"), etag);
  // The creation time shown is the original one.
  auto created = [](const std::string& html) {
    size_t at = html.find("<time datetime=\"");
    return at == std::string::npos ? std::string() : html.substr(at, 40);
  };
  EXPECT_EQ(created(after.body), created(before.body));
  std::vector<PostLink> links = ParseListLinks(Get("/").body);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].id, id);
  EXPECT_EQ(links[0].title, "Final");
}

TEST_F(EditRoutes, StaleIfMatchIs412AndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("Shared", "v1");
  const std::string etag = Get(PostPath(id)).Header("ETag");
  // Two editors read the same page; the first one's edit lands.
  ASSERT_EQ(Put(id, PostJson("Shared", "v2"), {{"If-Match", etag}}).status, 303);
  HttpResponse stale = Put(id, PostJson("Shared", "v3"), {{"If-Match", etag}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_NE(stale.body.find("changed since"), std::string::npos) << stale.body;
  EXPECT_EQ(ParsePostPage(Get(PostPath(id)).body)->body_html, "<p>v2</p>\n");
  // A weak tag never matches If-Match.
  const std::string current = Get(PostPath(id)).Header("ETag");
  EXPECT_EQ(Put(id, PostJson("Shared", "v4"), {{"If-Match", "W/" + current}}).status, 412);
  EXPECT_EQ(Put(id, PostJson("Shared", "v4"), {{"If-Match", current}}).status, 303);
}

TEST_F(EditRoutes, PutAndDeleteOfUnknownIdsAre404AndNeedTheToken) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(Put(77, PostJson("t", "b")).status, 404);
  EXPECT_EQ(Put(77, PostJson("t", "b"), {{"If-Match", "\"0000000000000000\""}}).status, 404);
  EXPECT_EQ(Delete(77).status, 404);
  EXPECT_EQ(Request("PUT", "/abc", JsonHeaders(server_->token()), PostJson("t", "b")).status, 404);
  int64_t id = CreatePostAndFindId("Mine", "b");
  EXPECT_EQ(Request("PUT", PostPath(id), JsonHeaders(""), PostJson("x", "y")).status, 401);
  EXPECT_EQ(Request("DELETE", PostPath(id)).status, 401);
  EXPECT_EQ(ParsePostPage(Get(PostPath(id)).body)->title, "Mine");
}

TEST_F(EditRoutes, DeletedPostIsGoneOffTheListAndItsIdIsNotReused) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t kept = CreatePostAndFindId("Kept", "b");
  int64_t gone = CreatePostAndFindId("Gone", "secret text");
  HttpResponse deleted = Delete(gone);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_FALSE(deleted.HasHeader("Content-Length"));

  HttpResponse page = Get(PostPath(gone));
  EXPECT_EQ(page.status, 410);
  EXPECT_EQ(page.body.find("secret text"), std::string::npos);
  std::vector<PostLink> links = ParseListLinks(Get("/").body);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].id, kept);
  EXPECT_EQ(Delete(gone).status, 410);
  EXPECT_EQ(Put(gone, PostJson("back", "again")).status, 410);

  // Deleted and restarted: still gone, and the next post gets a new id.
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  EXPECT_EQ(Get(PostPath(gone)).status, 410);
  int64_t next = CreatePostAndFindId("Next", "b");
  EXPECT_GT(next, gone);
}

TEST_F(EditRoutes, BadPutBodiesAre400Or413AndChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("Stable", "unchanged");
  const std::string etag = Get(PostPath(id)).Header("ETag");
  struct Case {
    std::string body;
    int status;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"{\"title\": \"x\", ", 400, "JSON"},
      {"{\"title\": \"x\"}", 400, "body"},
      {"{\"body\": \"x\"}", 400, "title"},
      {"{\"title\": \"x\", \"body\": \"\xff\xfe\"}", 400, "UTF-8"},
      {PostJson("x", std::string(2 << 20, 'a')), 413, "limit"},
  };
  for (const Case& c : cases) {
    HttpResponse response = Put(id, c.body, {{"If-Match", etag}});
    EXPECT_EQ(response.status, c.status) << c.body.substr(0, 60) << ": " << response.body;
    EXPECT_NE(response.body.find(c.reason), std::string::npos) << response.body;
  }
  EXPECT_EQ(
      Request("PUT", PostPath(id),
              {{"Authorization", "Bearer " + server_->token()}, {"Content-Type", "text/plain"}},
              PostJson("x", "y"))
          .status,
      415);
  HttpResponse page = Get(PostPath(id));
  EXPECT_EQ(page.Header("ETag"), etag);
  EXPECT_EQ(ParsePostPage(page.body)->body_html, "<p>unchanged</p>\n");
}

TEST_F(EditRoutes, EditsAndDeletesSurviveARestart) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t edited = CreatePostAndFindId("Before", "old");
  int64_t removed = CreatePostAndFindId("Removed", "b");
  ASSERT_EQ(Put(edited, PostJson("After", "new")).status, 303);
  ASSERT_EQ(Delete(removed).status, 204);
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  EXPECT_EQ(ParsePostPage(Get(PostPath(edited)).body)->title, "After");
  EXPECT_EQ(Get(PostPath(removed)).status, 410);
}

}  // namespace
}  // namespace fourdollar::e2e
