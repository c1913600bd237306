// `serve` on a database made before the rendered HTML was stored (schema version 2): the
// migration renders every old post's Markdown with md4c on open and stores it, and the pages
// show it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class HtmlMigration : public ServerTest {
 protected:
  std::string DbPath() const { return (data_dir_.path() / "blog.db").string(); }

  // Runs `sql` on the database file; "" when it worked, else SQLite's message. `row` gets the
  // first column of the last row a SELECT returned.
  std::string Exec(const std::string& sql, std::string* row = nullptr) {
    sqlite3* db = nullptr;
    if (sqlite3_open(DbPath().c_str(), &db) != SQLITE_OK) return "cannot open " + DbPath();
    char* error = nullptr;
    auto keep = [](void* out, int, char** values, char**) {
      if (out != nullptr) *static_cast<std::string*>(out) = values[0] ? values[0] : "NULL";
      return 0;
    };
    int rc = sqlite3_exec(db, sql.c_str(), keep, row, &error);
    std::string message = rc == SQLITE_OK ? "" : (error ? error : "error");
    sqlite3_free(error);
    sqlite3_close(db);
    return message;
  }
};

TEST_F(HtmlMigration, PostsOfASchemaVersion2DatabaseAreRenderedOnceOnOpen) {
  ASSERT_EQ(
      Exec("CREATE TABLE posts (id INTEGER PRIMARY KEY, created_unix_ms INTEGER NOT NULL,"
           "  title TEXT NOT NULL, body TEXT NOT NULL);"
           "CREATE INDEX posts_created_unix_ms ON posts(created_unix_ms);"
           "ALTER TABLE posts ADD COLUMN updated_unix_ms INTEGER NOT NULL DEFAULT 0;"
           "ALTER TABLE posts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;"
           "ALTER TABLE posts ADD COLUMN deleted_unix_ms INTEGER;"
           "PRAGMA user_version = 2;"
           "INSERT INTO posts(id, created_unix_ms, title, body) VALUES"
           "  (1, 1000, 'Old', 'Some *old* text'), (2, 2000, 'Older', '| a |\n|---|\n| b |');"),
      "");
  ASSERT_NO_FATAL_FAILURE(StartServer());

  std::string stored;
  EXPECT_EQ(Exec("SELECT body_html FROM posts WHERE id = 1", &stored), "");
  EXPECT_EQ(stored, "<p>Some <em>old</em> text</p>\n");
  std::string version;
  EXPECT_EQ(Exec("PRAGMA user_version", &version), "");
  EXPECT_EQ(version, "4");

  std::optional<PostPage> one = ParsePostPage(Get(PostPath(1)).body);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->body_html, "<p>Some <em>old</em> text</p>\n");
  std::optional<PostPage> two = ParsePostPage(Get(PostPath(2)).body);
  ASSERT_TRUE(two);
  EXPECT_NE(two->body_html.find("<td>b</td>"), std::string::npos) << two->body_html;
  EXPECT_EQ(Get(PostPath(1) + "?format=markdown").body, "Some *old* text");
}

}  // namespace
}  // namespace fourdollar::e2e
