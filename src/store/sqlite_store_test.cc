#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>

#include "store/sqlite_session.h"
#include "store/store_contract_test.h"

namespace fourdollar::store::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(StoreBackend{"Sqlite",
                                                        [](const std::filesystem::path& dir) {
                                                          return "sqlite:" +
                                                                 (dir / "blog.db").string();
                                                        }}),
                         StoreBackendName);

std::unique_ptr<Store> MustOpen(const std::string& path, const Clock& clock = RealClock()) {
  auto store = OpenSqliteStore(path, StoreOptions{}, clock);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

Result<Post> InsertAndWait(Store& store, Executor& loop, NewPost post) {
  auto session = store.OpenSession(loop);
  if (!session) return tl::unexpected(session.error());
  auto result = Await<Result<Post>>([&](auto done) { (*session)->Insert(std::move(post), done); });
  return result ? *result : MakeError(ErrorCode::kInternal, "Insert did not complete in time");
}

void SetUserVersion(const std::string& path, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string sql = "PRAGMA user_version = " + std::to_string(version);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(SqliteStore, RefusesDatabaseWithNewerSchemaVersion) {
  TempDir dir;
  const std::string path = (dir.path() / "blog.db").string();
  ASSERT_TRUE(MustOpen(path));
  SetUserVersion(path, 99);

  auto store = OpenSqliteStore(path, StoreOptions{}, RealClock());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("99"), std::string::npos) << store.error().message;
}

TEST(SqliteStore, UnwritablePathErrorNamesThePath) {
  TempDir dir;
  const std::filesystem::path blocker = dir.path() / "blocker";
  std::ofstream(blocker) << "a file where a folder should be";

  auto store = OpenSqliteStore((blocker / "sub" / "blog.db").string(), StoreOptions{}, RealClock());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find(blocker.string()), std::string::npos)
      << store.error().message;
}

TEST(SqliteStore, FileThatIsNotADatabaseIsRefusedByName) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "notes.txt";
  std::ofstream(path) << std::string(4096, 'x');

  auto store = OpenSqliteStore(path.string(), StoreOptions{}, RealClock());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find(path.string()), std::string::npos) << store.error().message;
}

TEST(SqliteStore, CreatesMissingFoldersPrivately) {
  TempDir dir;
  const std::filesystem::path folder = dir.path() / "a" / "b";
  ASSERT_TRUE(MustOpen((folder / "blog.db").string()));

  for (const auto& created : {dir.path() / "a", folder}) {
    struct stat st {};
    ASSERT_EQ(::stat(created.c_str(), &st), 0) << created;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << created;
  }
  EXPECT_TRUE(std::filesystem::exists(folder / "blog.db"));
}

TEST(SqliteStore, DescribesTheAbsolutePath) {
  TempDir dir;
  const std::filesystem::path relative =
      std::filesystem::relative(dir.path(), std::filesystem::current_path()) / "x" / ".." /
      "blog.db";
  ASSERT_TRUE(relative.is_relative());

  auto store = MustOpen(relative.string());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Describe(), "sqlite:" + (dir.path() / "blog.db").string());
}

TEST(SqliteStore, TimestampsNeverGoBackwardsWhenTheClockDoes) {
  TempDir dir;
  ThreadExecutor loop;
  FakeClock clock;
  const std::string path = (dir.path() / "blog.db").string();
  {
    auto store = MustOpen(path, clock);
    ASSERT_TRUE(store);
    clock.Set(5000);
    auto first = InsertAndWait(*store, loop, NewPost{"a", "b"});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->created_unix_ms, 5000);
    clock.Set(4000);
    auto second = InsertAndWait(*store, loop, NewPost{"a", "b"});
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->created_unix_ms, 5000);
  }
  auto reopened = MustOpen(path, clock);
  ASSERT_TRUE(reopened);
  clock.Set(3000);
  auto third = InsertAndWait(*reopened, loop, NewPost{"a", "b"});
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->created_unix_ms, 5000);
  clock.Set(6000);
  auto fourth = InsertAndWait(*reopened, loop, NewPost{"a", "b"});
  ASSERT_TRUE(fourth) << fourth.error().message;
  EXPECT_EQ(fourth->created_unix_ms, 6000);
}

TEST(SqliteStore, EmptyPathIsInvalid) {
  auto store = OpenSqliteStore("", StoreOptions{}, RealClock());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

TEST(SqliteStore, ZeroQueueLimitIsInvalid) {
  TempDir dir;
  StoreOptions options;
  options.max_queued_writes = 0;
  auto store = OpenSqliteStore((dir.path() / "blog.db").string(), options, RealClock());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fourdollar::store::testing

namespace fourdollar::store::testing {
namespace {

// A database file made by a build before edits and deletes existed (schema version 1).
TEST(SqliteStore, OpensAVersionOneDatabaseAndEditsItsPosts) {
  TempDir dir;
  const std::string path = (dir.path() / "blog.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* v1 =
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, created_unix_ms INTEGER NOT NULL,"
        " title TEXT NOT NULL, body TEXT NOT NULL);"
        "CREATE INDEX posts_created_unix_ms ON posts(created_unix_ms);"
        "INSERT INTO posts VALUES (1, 1700000000000, 'old title', 'old body');"
        "INSERT INTO posts VALUES (2, 1700000001000, 'second', 'text');"
        "PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  ThreadExecutor loop;  // outlives the store, whose writer thread posts completions to it
  auto store = MustOpen(path);
  ASSERT_TRUE(store);
  auto session = store->OpenSession(loop);
  ASSERT_TRUE(session);
  auto read = Await<Result<std::optional<Post>>>([&](auto done) { (*session)->Get(1, done); });
  ASSERT_TRUE(read && *read && (*read)->has_value());
  const Post& old = **(*read);
  EXPECT_EQ(old.title, "old title");
  EXPECT_EQ(old.revision, 1);
  EXPECT_EQ(old.updated_unix_ms, 0);
  EXPECT_FALSE(old.deleted);

  auto updated = Await<Result<Post>>([&](auto done) {
    (*session)->Update(1, NewPost{"new", "body"}, int64_t{1}, done);
  });
  ASSERT_TRUE(updated && *updated) << (updated ? updated->error().message : "timeout");
  EXPECT_EQ((*updated)->created_unix_ms, 1700000000000);
  EXPECT_EQ((*updated)->revision, 2);
  auto deleted = Await<Result<Post>>([&](auto done) { (*session)->Delete(2, done); });
  ASSERT_TRUE(deleted && *deleted) << (deleted ? deleted->error().message : "timeout");
  auto latest =
      Await<Result<PostList>>([&](auto done) { (*session)->Latest(std::nullopt, 10, done); });
  ASSERT_TRUE(latest && *latest);
  ASSERT_EQ((*latest)->size(), 1u);
  EXPECT_EQ((*latest)->front().title, "new");
}

// A table row holds the body and its HTML, so a list read from the table would touch about one
// page per post; the list query must read its covering index alone.
TEST(SqliteStore, TheListQueryReadsOnlyItsCoveringIndex) {
  TempDir dir;
  const std::string path = (dir.path() / "blog.db").string();
  {
    auto store = MustOpen(path);  // creates and migrates the file
    ASSERT_TRUE(store);
    store->Shutdown();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* plan = nullptr;
  std::string sql = std::string("EXPLAIN QUERY PLAN ") + kSqliteLatestSql;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &plan, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string details;
  while (sqlite3_step(plan) == SQLITE_ROW) {
    details += reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
    details += '\n';
  }
  sqlite3_finalize(plan);
  sqlite3_close(db);
  EXPECT_NE(details.find("USING COVERING INDEX posts_listed"), std::string::npos) << details;
  EXPECT_EQ(details.find("TEMP B-TREE"), std::string::npos) << details;  // no sort
}

}  // namespace
}  // namespace fourdollar::store::testing
