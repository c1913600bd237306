// An edit or delete drops the cached pages of that post only (and the list and feed): the other
// post pages are still served from the page cache, as /metrics shows, and every page is right
// as soon as the 303 or 204 is answered, on SQLite and on two PostgreSQL instances (NOTIFY).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>

#include "e2e/postgres_cluster.h"
#include "e2e/prometheus_text.h"
#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

// One loop thread, so that every request meets the same page cache.
ServerOptions OneThread(ServerOptions options) {
  for (size_t i = 0; i + 1 < options.args.size(); ++i) {
    if (options.args[i] == "--threads") options.args[i + 1] = "1";
  }
  if (std::find(options.args.begin(), options.args.end(), "--threads") == options.args.end()) {
    options.args.insert(options.args.end(), {"--threads", "1"});
  }
  return options;
}

HttpResponse Send(const ServerProcess& server, std::string_view method, const std::string& path,
                  const Headers& headers = {}, std::string_view body = "") {
  auto response = Fetch(server.host(), server.port(), method, path, headers, body);
  if (!response) {
    ADD_FAILURE() << method << " " << path << ": " << response.error().message;
    return HttpResponse{};
  }
  return *response;
}

double Misses(const ServerProcess& server) {
  HttpResponse metrics = Send(server, "GET", "/metrics");
  return FindSample(metrics.body, "fourdollar_page_cache_misses_total").value_or(-1);
}

int64_t Create(const ServerProcess& server, const std::string& title) {
  HttpResponse created =
      Send(server, "POST", "/", JsonHeaders(server.token()), PostJson(title, "body of " + title));
  EXPECT_EQ(created.status, 303) << created.body;
  return ParseStoredId(created.body).value_or(0);
}

std::string TitleOf(const ServerProcess& server, int64_t id) {
  std::optional<PostPage> page = ParsePostPage(Send(server, "GET", PostPath(id)).body);
  return page ? page->title : "";
}

// Posts a, b and c on `writer`, their pages cached on `reader`; then b is edited and c deleted
// on `writer`. `settled` waits (bounded) until `reader` shows a change made on `writer`.
void EditKeepsOtherPagesCached(ServerProcess& writer, ServerProcess& reader,
                               const std::function<bool(std::function<bool()>)>& settled) {
  const std::string token = writer.token();
  const int64_t a = Create(writer, "alpha");
  const int64_t b = Create(writer, "beta");
  const int64_t c = Create(writer, "gamma");
  ASSERT_TRUE(a > 0 && b > 0 && c > 0);
  for (int64_t id : {a, b, c}) ASSERT_TRUE(settled([&] { return !TitleOf(reader, id).empty(); }));
  // Each page is in the reader's cache now.
  for (int64_t id : {a, b, c}) ASSERT_EQ(Send(reader, "GET", PostPath(id)).status, 200);

  HttpResponse put =
      Send(writer, "PUT", PostPath(b), JsonHeaders(token), PostJson("beta edited", "**new**"));
  ASSERT_EQ(put.status, 303) << put.body;
  // Right after the 303, every page of the writer shows the edit.
  EXPECT_EQ(TitleOf(writer, b), "beta edited");
  EXPECT_EQ(ParsePostPage(Send(writer, "GET", PostPath(b)).body)->body_html,
            "<p><strong>new</strong></p>\n");
  EXPECT_EQ(Send(writer, "GET", PostPath(b) + "?format=markdown").body, "**new**");
  EXPECT_NE(Send(writer, "GET", "/").body.find("beta edited"), std::string::npos);
  EXPECT_NE(Send(writer, "GET", "/feed.xml").body.find("beta edited"), std::string::npos);
  ASSERT_TRUE(settled([&] { return TitleOf(reader, b) == "beta edited"; }));

  // The other posts' pages are still cached on the reader: no miss for them.
  const double misses = Misses(reader);
  EXPECT_EQ(TitleOf(reader, a), "alpha");
  EXPECT_EQ(TitleOf(reader, c), "gamma");
  EXPECT_EQ(Misses(reader), misses) << "a page of a post not edited was rendered again";
  EXPECT_NE(Send(reader, "GET", "/").body.find("beta edited"), std::string::npos);

  HttpResponse deleted =
      Send(writer, "DELETE", PostPath(c), {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(Send(writer, "GET", PostPath(c)).status, 410);
  EXPECT_EQ(Send(writer, "GET", "/").body.find("gamma"), std::string::npos);
  ASSERT_TRUE(settled([&] { return Send(reader, "GET", PostPath(c)).status == 410; }));
  const double after_delete = Misses(reader);
  EXPECT_EQ(TitleOf(reader, a), "alpha");
  EXPECT_EQ(TitleOf(reader, b), "beta edited");
  EXPECT_EQ(Misses(reader), after_delete) << "a page of a post not deleted was rendered again";
}

class EditCache : public ServerTest {};

TEST_F(EditCache, SqliteEditDropsOnlyThatPostsPages) {
  ASSERT_NO_FATAL_FAILURE(StartServer(OneThread({})));
  // One instance: the change must show at once, with no waiting.
  auto at_once = [](const std::function<bool()>& condition) { return condition(); };
  EditKeepsOtherPagesCached(*server_, *server_, at_once);
}

TEST(EditCacheInstances, PostgresEditOnOneDropsOnlyThatPostsPagesOnTheOther) {
  std::optional<std::string> admin = Env("FOURDOLLAR_TEST_PG_URL");
  if (!admin) GTEST_SKIP() << kNoPostgres;
  auto url = CreateDatabase(*admin);
  ASSERT_TRUE(url.has_value()) << url.error().message;
  TempDir dir_a;
  TempDir dir_b;
  auto a = ServerProcess::Start(dir_a.path(), OneThread(PostgresServer(*url)));
  ASSERT_TRUE(a) << a.error().message;
  auto b = ServerProcess::Start(dir_b.path(), OneThread(PostgresServer(*url)));
  ASSERT_TRUE(b) << b.error().message;
  for (const auto* server : {&*a, &*b}) {
    ASSERT_TRUE(WaitForNotifyListener(**server)) << "a NOTIFY listener did not connect in 15 s";
  }
  // The other instance follows through NOTIFY: within a second (100 ms when the machine is not
  // loaded; the sanitizers' builds are slower).
  auto within_a_second = [](const std::function<bool()>& condition) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(1)) {
      if (condition()) return true;
    }
    return condition();
  };
  EditKeepsOtherPagesCached(**a, **b, within_a_second);
}

}  // namespace
}  // namespace fourdollar::e2e
