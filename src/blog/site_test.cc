#include "blog/site.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/executor.h"
#include "support/temp_dir.h"

namespace fourdollar::blog {
namespace {

using std::chrono::steady_clock;

constexpr std::chrono::seconds kWaitLimit{30};

// The test thread plays the event loop: tasks the store posts (from its writer thread) queue here
// and run on the test thread inside RunUntil, as they would on a loop thread.
class TestLoop final : public Executor {
 public:
  void Post(std::function<void()> task) override {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

  // Runs queued tasks until `done` holds; false when kWaitLimit passes first.
  bool RunUntil(const std::function<bool()>& done) {
    auto deadline = steady_clock::now() + kWaitLimit;
    while (!done()) {
      std::unique_lock lock(mutex_);
      if (!wake_.wait_until(lock, deadline, [this] { return !tasks_.empty(); })) return done();
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
    }
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
};

using test_support::TempDir;

// "prefix" followed by the number: Cat("/", 12) is "/12".
std::string Cat(std::string_view prefix, int64_t number) {
  std::string out(prefix);
  out += std::to_string(number);
  return out;
}

bool Contains(std::string_view text, std::string_view piece) {
  return text.find(piece) != std::string_view::npos;
}

std::string PostJson(std::string_view title, std::string_view body) {
  return "{\"title\":\"" + std::string(title) + "\",\"body\":\"" + std::string(body) + "\"}";
}

// A real SQLite store in a temporary folder, a Site on the test thread, and a real Router.
class SiteTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(store::StoreOptions{}); }

  // Opens the store in `folder` (default: this test's temporary folder) and a Site on it.
  void Open(store::StoreOptions options, std::optional<std::string> token = std::nullopt,
            std::string folder = "") {
    Close();
    options.url = "sqlite:" + (folder.empty() ? dir_.path().string() : folder) + "/blog.db";
    Result<std::unique_ptr<store::Store>> opened = store::OpenStore(options);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    Result<std::unique_ptr<store::StoreSession>> session = store_->OpenSession(loop_);
    ASSERT_TRUE(session) << session.error().message;
    site_ = std::make_unique<Site>(SiteOptions{}, DefaultTemplates(), *store_, std::move(*session),
                                   [] { return std::string("fourdollar_up 1\n"); });
    router_ = std::make_unique<http::Router>(std::move(token));
    site_->AddRoutes(*router_);
  }

  void TearDown() override { Close(); }

  // Closes the site and the store; the store's writer thread is joined.
  void Close() {
    site_.reset();
    if (store_) store_->Shutdown();
    store_.reset();
  }

  // Checks the head as the server would, then runs the handler and waits for its reply.
  http::Response Send(http::Method method, std::string target, std::string body = "",
                      std::string content_type = "", std::string authorization = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    request.body = std::move(body);
    http::RequestHead head{method, request.path, content_type, authorization, request.body.size()};
    http::RouteMatch match = router_->Check(head);
    if (match.refusal) return *match.refusal;
    EXPECT_NE(match.route, nullptr);
    std::optional<http::Response> reply;
    int replies = 0;
    match.route->handler(request, match.param, [&](http::Response response) {
      ++replies;
      reply = std::move(response);
    });
    EXPECT_TRUE(loop_.RunUntil([&] { return reply.has_value(); })) << "no reply to " << target;
    EXPECT_EQ(replies, 1);
    return reply.value_or(http::TextResponse(599, "no reply"));
  }

  http::Response Get(std::string target) { return Send(http::Method::kGet, std::move(target)); }

  http::Response Create(std::string json) {
    return Send(http::Method::kPost, "/", std::move(json), "application/json");
  }

  // Stores a post through POST / and returns its id (from the 303 body "stored as /N").
  int64_t CreatePost(std::string_view title, std::string_view body = "text") {
    http::Response response = Create(PostJson(title, body));
    EXPECT_EQ(response.status, 303) << response.Body();
    std::string_view text = response.Body();
    size_t slash = text.rfind('/');
    if (slash == std::string_view::npos) return 0;
    return std::stoll(std::string(text.substr(slash + 1)));
  }

  TempDir dir_;
  TestLoop loop_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Site> site_;
  std::unique_ptr<http::Router> router_;
};

TEST_F(SiteTest, EmptyBlogSaysNoPostsYet) {
  http::Response response = Get("/");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(Contains(response.Body(), "No posts yet")) << response.Body();
}

TEST_F(SiteTest, ListShowsTheTenNewestFirstWithAnOlderLink) {
  for (int i = 1; i <= 12; ++i) CreatePost(Cat("Post number ", i));
  http::Response response = Get("/");
  ASSERT_EQ(response.status, 200);
  std::string_view html = response.Body();
  size_t previous = 0;
  for (int i = 12; i >= 3; --i) {
    std::string link = Cat("<a href=\"/", i) + Cat("\">Post number ", i) + "</a>";
    size_t at = html.find(link);
    ASSERT_NE(at, std::string_view::npos) << "post " << i << " missing:\n" << html;
    EXPECT_GT(at, previous) << "post " << i << " out of order";
    previous = at;
  }
  EXPECT_FALSE(Contains(html, "Post number 2<")) << html;
  EXPECT_FALSE(Contains(html, "Post number 1<")) << html;
  EXPECT_TRUE(Contains(html, "href=\"/?before=3\"")) << html;
}

TEST_F(SiteTest, OlderPageShowsTheRestWithoutAnotherOlderLink) {
  for (int i = 1; i <= 12; ++i) CreatePost(Cat("Post number ", i));
  http::Response response = Get("/?before=3");
  ASSERT_EQ(response.status, 200);
  std::string_view html = response.Body();
  size_t second = html.find(">Post number 2</a>");
  size_t first = html.find(">Post number 1</a>");
  ASSERT_NE(second, std::string_view::npos) << html;
  ASSERT_NE(first, std::string_view::npos) << html;
  EXPECT_LT(second, first);
  EXPECT_FALSE(Contains(html, "Post number 3<")) << html;
  EXPECT_FALSE(Contains(html, "?before=")) << html;
}

TEST_F(SiteTest, ExactlyTenPostsHaveNoOlderLink) {
  for (int i = 1; i <= 10; ++i) CreatePost(Cat("P", i));
  std::string_view html = Get("/").Body();
  EXPECT_TRUE(Contains(html, ">P1</a>")) << html;
  EXPECT_FALSE(Contains(html, "?before=")) << html;
}

TEST_F(SiteTest, BadBeforeIsABadRequestSayingWhy) {
  for (std::string bad :
       {"abc", "0", "-1", "", "007", "1e3", "99999999999999999999", "9223372036854775808"}) {
    http::Response response = Get("/?before=" + bad);
    EXPECT_EQ(response.status, 400) << bad;
    EXPECT_TRUE(Contains(response.Body(), "400 Bad Request: before must be a post id"))
        << response.Body();
  }
}

TEST_F(SiteTest, PostPageShowsTitleTimeAndBody) {
  int64_t id = CreatePost("A title", "line one\\nline two");
  http::Response response = Get(Cat("/", id));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  std::string_view html = response.Body();
  EXPECT_TRUE(Contains(html, "<h1>A title</h1>")) << html;
  EXPECT_TRUE(Contains(html, "line one\nline two")) << html;
  size_t time = html.find("<time datetime=\"");
  ASSERT_NE(time, std::string_view::npos) << html;
  std::string_view stamp = html.substr(time + 16, 24);  // 2026-11-26T15:04:05.123Z
  EXPECT_EQ(stamp[10], 'T');
  EXPECT_EQ(stamp[19], '.');
  EXPECT_EQ(stamp[23], 'Z');
}

TEST_F(SiteTest, UnknownOrMalformedIdsGetTheNotFoundPage) {
  CreatePost("Only one");
  for (std::string path : {"/2", "/0", "/-1", "/abc", "/01", "/1.0", "/99999999999999999999",
                           "/9223372036854775807"}) {
    http::Response response = Get(path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << path;
    EXPECT_TRUE(Contains(response.Body(), "Not found")) << path;
  }
}

TEST_F(SiteTest, NotFoundIsNotCachedSoANewPostAppears) {
  EXPECT_EQ(Get("/1").status, 404);
  ASSERT_EQ(CreatePost("Now here"), 1);
  http::Response response = Get("/1");
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(Contains(response.Body(), "Now here"));
}

TEST_F(SiteTest, CreateAnswers303ToTheListWhereThePostThenAppears) {
  CreatePost("Before");
  EXPECT_FALSE(Contains(Get("/").Body(), "After"));  // the list page is now cached
  http::Response created = Create(PostJson("After", "b"));
  EXPECT_EQ(created.status, 303);
  ASSERT_EQ(created.headers.size(), 2u);
  EXPECT_EQ(created.headers[0].name, "Location");
  EXPECT_EQ(created.headers[0].value, "/");
  EXPECT_EQ(created.headers[1].name, "Content-Location");  // the new post's page
  EXPECT_EQ(created.headers[1].value,
            "/" + std::string(created.body.substr(
                      created.body.find("stored as /") + 11,
                      created.body.find('\n') - (created.body.find("stored as /") + 11))));
  std::string_view html = Get("/").Body();
  EXPECT_TRUE(Contains(html, ">After</a>")) << html;
  EXPECT_LT(html.find(">After</a>"), html.find(">Before</a>"));
}

TEST_F(SiteTest, ServesRepeatedPagesFromCacheWithoutCopying) {
  int64_t id = CreatePost("Cached");
  http::Response first_list = Get("/");
  http::Response second_list = Get("/");
  ASSERT_NE(first_list.shared_body, nullptr);
  EXPECT_EQ(first_list.shared_body.get(), second_list.shared_body.get());
  http::Response first_post = Get(Cat("/", id));
  http::Response second_post = Get(Cat("/", id));
  ASSERT_NE(first_post.shared_body, nullptr);
  EXPECT_EQ(first_post.shared_body.get(), second_post.shared_body.get());
  CacheStats stats = site_->cache_stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 2u);
}

// Changes a stored post's title in the database file behind the store's back (another SQLite
// connection): a page that shows the change was read from the store, one that does not was not.
void ChangeTitleBehindTheStore(const std::filesystem::path& db_path, int64_t id) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  std::string sql = "UPDATE posts SET title = 'changed behind' WHERE id = " + std::to_string(id);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(SiteTest, ANewPostsFirstPageIsMadeFromItsCommitNotReadFromTheStore) {
  int64_t id = CreatePost("As written");
  ChangeTitleBehindTheStore(dir_.path() / "blog.db", id);
  http::Response page = Get(Cat("/", id));
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Contains(page.Body(), "<h1>As written</h1>")) << page.Body();
  CacheStats stats = site_->cache_stats();
  EXPECT_EQ(stats.misses, 1u);  // made once, then kept like any page
  EXPECT_EQ(Get(Cat("/", id)).shared_body.get(), page.shared_body.get());
}

TEST_F(SiteTest, APageMadeAtCommitIsTheOneTheStoreWouldGive) {
  int64_t id = CreatePost("Same either way", "*some* text");
  http::Response at_commit = Get(Cat("/", id));
  http::Response source_at_commit = Get(Cat("/", id) + "?format=markdown");
  Open(store::StoreOptions{});  // a new site on the same file: nothing kept, read from the store
  http::Response read = Get(Cat("/", id));
  http::Response source_read = Get(Cat("/", id) + "?format=markdown");
  ASSERT_EQ(at_commit.status, 200);
  EXPECT_EQ(at_commit.Body(), read.Body());
  ASSERT_NE(at_commit.shared_header_lines, nullptr);
  ASSERT_NE(read.shared_header_lines, nullptr);
  EXPECT_EQ(*at_commit.shared_header_lines, *read.shared_header_lines);  // ETag, Last-Modified
  EXPECT_EQ(source_at_commit.Body(), "*some* text");
  EXPECT_EQ(source_at_commit.Body(), source_read.Body());
  EXPECT_EQ(*source_at_commit.shared_header_lines, *source_read.shared_header_lines);
}

TEST_F(SiteTest, AnEditOrDeleteBeforeTheFirstReadIsNotHiddenByTheCopyFromTheCommit) {
  int64_t edited = CreatePost("First draft");
  int64_t deleted = CreatePost("Short lived");
  EXPECT_EQ(
      Send(http::Method::kPut, Cat("/", edited), PostJson("Second draft", "b"), "application/json")
          .status,
      303);
  EXPECT_EQ(Send(http::Method::kDelete, Cat("/", deleted)).status, 204);
  http::Response page = Get(Cat("/", edited));
  EXPECT_TRUE(Contains(page.Body(), "<h1>Second draft</h1>")) << page.Body();
  EXPECT_EQ(Get(Cat("/", deleted)).status, 410);
}

TEST_F(SiteTest, CreateRejectsInvalidPostsNamingTheRule) {
  http::Response response = Create(PostJson(std::string(201, 'x'), "b"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.Body(), "400 Bad Request: title must be 1..200 characters, got 201\n");
  response = Create("not json");
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(Contains(response.Body(), "not valid JSON")) << response.Body();
  EXPECT_TRUE(Contains(Get("/").Body(), "No posts yet"));
}

TEST_F(SiteTest, CreateRouteDemandsJsonAndLimitsTheBody) {
  EXPECT_EQ(Send(http::Method::kPost, "/", PostJson("t", "b"), "text/plain").status, 415);
  EXPECT_EQ(Send(http::Method::kPost, "/", PostJson("t", "b"), "").status, 415);
  EXPECT_EQ(Create(std::string(kCreateBodyLimitBytes + 1, ' ')).status, 413);
  EXPECT_EQ(
      Send(http::Method::kPost, "/", PostJson("t", "b"), "application/json; charset=utf-8").status,
      303);
}

TEST_F(SiteTest, CreateRouteDemandsTheWriteTokenWhenSet) {
  Open(store::StoreOptions{}, std::string("s3cret"));
  EXPECT_EQ(Create(PostJson("t", "b")).status, 401);
  EXPECT_EQ(Send(http::Method::kPost, "/", PostJson("t", "b"), "application/json", "Bearer s3cret")
                .status,
            303);
}

TEST_F(SiteTest, TitlesAreShownAsText) {
  int64_t id = CreatePost("<script>alert(1)</script> & \\\"q\\\"");
  for (std::string path : {std::string("/"), Cat("/", id)}) {
    std::string_view html = Get(path).Body();
    EXPECT_FALSE(Contains(html, "<script>")) << html;
    EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"))
        << html;
  }
}

TEST_F(SiteTest, HealthzSaysOk) {
  http::Response response = Get("/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Body(), "ok\n");
}

TEST_F(SiteTest, MetricsServesTheGivenTextAsPrometheus) {
  http::Response response = Get("/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.Body(), "fourdollar_up 1\n");
}

TEST_F(SiteTest, StoreRefusingWritesGives503WithRetryAfter) {
  CreatePost("Kept");
  store_->Shutdown();  // a store that stops taking writes refuses them as unavailable
  http::Response response = Create(PostJson("Late", "b"));
  EXPECT_EQ(response.status, 503) << response.Body();
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].name, "Retry-After");
  EXPECT_EQ(response.headers[0].value, "1");
  EXPECT_TRUE(Contains(Get("/").Body(), ">Kept</a>"));  // reads still work
}

// Exit codes of the disk-full child process.
constexpr int kChildSaw507 = 0;
constexpr int kChildNoNamespace = 77;
constexpr int kChildNeverFull = 1;
constexpr int kChildWrongAnswer = 2;

// Puts the calling process in a private mount namespace (as root, or through a user namespace)
// and mounts a tiny tmpfs on `folder`; false when this machine does not allow it.
bool MountTinyTmpfs(const std::string& folder) {
  if (::unshare(CLONE_NEWNS) != 0) {
    uid_t uid = ::getuid();
    gid_t gid = ::getgid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return false;
    std::ofstream("/proc/self/setgroups") << "deny";
    std::ofstream("/proc/self/uid_map") << "0 " << uid << " 1";
    std::ofstream("/proc/self/gid_map") << "0 " << gid << " 1";
  }
  // Keep the tmpfs out of the parent's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  return ::mount("tmpfs", folder.c_str(), "tmpfs", 0, "size=256k") == 0;
}

TEST_F(SiteTest, DiskFullGives507) {
  // The child below must be the only thread when it forks: close the store (joins its writer).
  Close();
  pid_t child = ::fork();
  ASSERT_GE(child, 0) << "fork failed";
  if (child == 0) {
    ::alarm(30);  // a hung child dies instead of hanging the test
    if (!MountTinyTmpfs(dir_.path())) std::_Exit(kChildNoNamespace);
    Open(store::StoreOptions{}, std::nullopt, dir_.path());
    if (!site_) std::_Exit(kChildWrongAnswer);
    std::string body(60000, 'x');
    for (int i = 0; i < 100; ++i) {
      http::Response response = Create(PostJson("Big", body));
      if (response.status == 303) continue;
      bool as_expected = response.status == 507 &&
                         response.Body() == "507 Insufficient Storage: the store is out of space\n";
      if (!as_expected) std::fprintf(stderr, "got %d: %s", response.status, response.body.c_str());
      std::_Exit(as_expected ? kChildSaw507 : kChildWrongAnswer);
    }
    std::_Exit(kChildNeverFull);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "child died, wait status " << status;
  if (WEXITSTATUS(status) == kChildNoNamespace) {
    GTEST_SKIP() << "needs a private mount namespace to fill a tiny tmpfs; not allowed here";
  }
  EXPECT_EQ(WEXITSTATUS(status), kChildSaw507)
      << (WEXITSTATUS(status) == kChildNeverFull ? "100 posts of 60 kB fitted in 256 kB"
                                                 : "the full disk did not answer 507");
}

}  // namespace
}  // namespace fourdollar::blog
