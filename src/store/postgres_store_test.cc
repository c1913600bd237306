#include "store/postgres_store.h"
#include "store/libpq.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "store/postgres_schema.h"
#include "store/postgres_session.h"
#include "store/postgres_test_support.h"
#include "store/store_contract_test.h"

namespace fourdollar::store::testing {
namespace {

std::string FreshDatabaseUrl(const std::filesystem::path&) {
  auto url = CreateTestDatabase();
  if (!url) {
    ADD_FAILURE() << "cannot create a test database: " << url.error().message;
    return "postgres://";
  }
  return *url;
}

std::optional<std::string> SkipWithoutPostgres() {
  if (TestPostgresUrl()) return std::nullopt;
  return kPostgresSkipReason;
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
                         ::testing::Values(StoreBackend{"Postgres", FreshDatabaseUrl,
                                                        SkipWithoutPostgres}),
                         StoreBackendName);

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestPostgresUrl()) GTEST_SKIP() << kPostgresSkipReason;
    auto url = CreateTestDatabase();
    ASSERT_TRUE(url) << url.error().message;
    url_ = *url;
  }

  std::unique_ptr<Store> MustOpen(const Clock& clock = RealClock()) {
    auto store = OpenPostgresStore(StoreOptions{.url = url_, .read_timeout_ms = 10000}, clock);
    if (!store) {
      ADD_FAILURE() << store.error().message;
      return nullptr;
    }
    return std::move(*store);
  }

  static Result<Post> InsertAndWait(Store& store, Executor& loop, NewPost post) {
    auto session = store.OpenSession(loop);
    if (!session) return tl::unexpected(session.error());
    auto result =
        Await<Result<Post>>([&](auto done) { (*session)->Insert(std::move(post), done); });
    return result ? *result : MakeError(ErrorCode::kInternal, "Insert did not complete in time");
  }

  // Waits, bounded, until the store's generation differs from `before`.
  static bool GenerationChangesFrom(const Store& store, uint64_t before) {
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (store.Generation() == before) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Waits, bounded, until the store's edit generation differs from `before`.
  static bool EditGenerationChangesFrom(const Store& store, uint64_t before) {
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (store.EditGeneration() == before) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // The notifications the store's listener has received (fourdollar_pg_notifications_total),
  // or -1 when the store does not report them.
  static int64_t NotificationsHeard(const Store& store) {
    std::string text;
    MetricsWriter out(text);
    store.WriteMetrics(out);
    const std::string name = "\nfourdollar_pg_notifications_total ";
    const size_t at = text.find(name);
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + name.size()));
  }

  ThreadExecutor loop_;
  std::string url_;
};

TEST_F(PostgresStoreTest, PostgresqlSchemeIsAccepted) {
  std::string url = "postgresql";
  url.append(url_, url_.find("://"));
  auto store = OpenStore(StoreOptions{url});
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_TRUE((*store)->Describe().starts_with("postgres://")) << (*store)->Describe();
}

TEST_F(PostgresStoreTest, DescribeAndErrorsLeaveOutThePassword) {
  std::string url = url_;
  url.insert(url.find('@'), ":s3cret-pw");
  auto store = OpenStore(StoreOptions{url});
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->Describe().find("s3cret-pw"), std::string::npos) << (*store)->Describe();
  EXPECT_NE((*store)->Describe().find("127.0.0.1"), std::string::npos) << (*store)->Describe();

  auto refused = OpenStore(StoreOptions{"postgres://user:s3cret-pw@127.0.0.1:1/none"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().message.find("s3cret-pw"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("127.0.0.1:1"), std::string::npos)
      << refused.error().message;
}

TEST_F(PostgresStoreTest, MalformedUrlIsInvalid) {
  auto store = OpenStore(StoreOptions{"postgres://host:notaport/db"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument) << store.error().message;
}

TEST_F(PostgresStoreTest, RefusesDatabaseWithNewerSchemaVersion) {
  ASSERT_TRUE(MustOpen());
  auto db = PgConnection::Connect(url_);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->Exec("UPDATE fourdollar_schema SET version = 99"));

  auto store = OpenPostgresStore(StoreOptions{.url = url_, .read_timeout_ms = 10000}, RealClock());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(store.error().message.find("99"), std::string::npos) << store.error().message;
}

// The list query goes by id and skips tombstones; on rows all visible (vacuumed) it must read
// its covering index alone, which it can only if the index holds every column it selects.
TEST_F(PostgresStoreTest, TheListQueryReadsOnlyItsCoveringIndex) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(InsertAndWait(*store, loop_, NewPost{"title", "body", "<p>body</p>\n"}));
  }
  auto db = PgConnection::Connect(url_);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->Exec("VACUUM ANALYZE posts"));
  // A table of three rows is cheapest read whole; the plan asked for is the one a large table
  // gets.
  ASSERT_TRUE(db->Exec("SET enable_seqscan = off"));
  ASSERT_TRUE(db->Exec(std::string("PREPARE latest AS ") + kPostgresLatestSql));
  auto plan = db->Exec("EXPLAIN EXECUTE latest(9223372036854775807, 11)");
  ASSERT_TRUE(plan) << plan.error().message;
  std::string details;
  for (int row = 0; row < Pq().PQntuples(plan->get()); ++row) {
    details += PgText(plan->get(), row, 0) + "\n";
  }
  EXPECT_NE(details.find("Index Only Scan Backward using posts_listed"), std::string::npos)
      << details;
  EXPECT_EQ(details.find("Sort"), std::string::npos) << details;
}

TEST_F(PostgresStoreTest, InstancesStartingAtOnceAllMigrate) {
  constexpr int kInstances = 6;
  std::vector<std::unique_ptr<Store>> stores(kInstances);
  std::vector<std::string> errors(kInstances);
  std::vector<std::thread> starters;
  for (int i = 0; i < kInstances; ++i) {
    starters.emplace_back([&, i] {
      auto store =
          OpenPostgresStore(StoreOptions{.url = url_, .read_timeout_ms = 10000}, RealClock());
      if (store) {
        stores[static_cast<size_t>(i)] = std::move(*store);
      } else {
        errors[static_cast<size_t>(i)] = store.error().message;
      }
    });
  }
  for (std::thread& starter : starters) starter.join();
  for (int i = 0; i < kInstances; ++i) {
    EXPECT_TRUE(stores[static_cast<size_t>(i)]) << errors[static_cast<size_t>(i)];
  }
  auto db = PgConnection::Connect(url_);
  ASSERT_TRUE(db) << db.error().message;
  auto version = db->Exec("SELECT version FROM fourdollar_schema");
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(Pq().PQntuples(version->get()), 1);
  EXPECT_EQ(PgInt64(version->get(), 0, 0), PostgresSchemaVersion());
}

TEST_F(PostgresStoreTest, WriteOnOneInstanceChangesTheOthersGeneration) {
  auto writer = MustOpen();
  auto reader = MustOpen();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(Listening(*reader));
  auto session = reader->OpenSession(loop_);
  ASSERT_TRUE(session) << session.error().message;
  const uint64_t before = reader->Generation();
  ASSERT_TRUE(InsertAndWait(*writer, loop_, NewPost{"from A", "b"}));
  EXPECT_TRUE(GenerationChangesFrom(*reader, before));
  auto latest =
      Await<Result<PostList>>([&](auto done) { (*session)->Latest(std::nullopt, 10, done); });
  ASSERT_TRUE(latest && *latest);
  ASSERT_EQ((*latest)->size(), 1u);
  EXPECT_EQ((*latest)->front().title, "from A");
}

TEST_F(PostgresStoreTest, AnInstanceCountsItsOwnCommitOnceThoughItHearsItsNotification) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(Listening(*store));
  const uint64_t before = store->Generation();
  ASSERT_TRUE(InsertAndWait(*store, loop_, NewPost{"mine", "b"}));
  // Its listener hears the commit's notification...
  auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  int64_t heard = 0;
  while (heard < 1 && std::chrono::steady_clock::now() < deadline) {
    heard = NotificationsHeard(*store);
    std::this_thread::yield();
  }
  ASSERT_GE(heard, 1) << "the listener never heard the commit";
  // ...and does not count it again: the cached pages are dropped once, by the writer.
  EXPECT_EQ(store->Generation(), before + 1);
}

TEST_F(PostgresStoreTest, AnEditOnOneInstanceNamesThePostOnTheOther) {
  auto writer = MustOpen();
  auto reader = MustOpen();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(Listening(*reader));
  auto first = InsertAndWait(*writer, loop_, NewPost{"a", "b", "<p>b</p>"});
  auto second = InsertAndWait(*writer, loop_, NewPost{"a", "b", "<p>b</p>"});
  ASSERT_TRUE(first && second);
  const uint64_t before = reader->EditGeneration();
  auto session = writer->OpenSession(loop_);
  ASSERT_TRUE(session) << session.error().message;
  auto updated = Await<Result<Post>>([&](auto done) {
    (*session)->Update(second->id, NewPost{"a", "c", "<p>c</p>"}, std::nullopt, done);
  });
  ASSERT_TRUE(updated && *updated);
  EditGenerationChangesFrom(*reader, before);
  EditLog::Changes changes = reader->EditedSince(before);
  ASSERT_TRUE(changes.ids.has_value());
  EXPECT_EQ(*changes.ids, std::vector<int64_t>{second->id});
}

// One notification per commit: another instance drops its list pages once for an edit, not
// once for the commit and again for the posts it names.
TEST_F(PostgresStoreTest, AnotherInstanceHearsOneNotificationPerEditCommit) {
  auto writer = MustOpen();
  auto reader = MustOpen();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(Listening(*reader));
  auto stored = InsertAndWait(*writer, loop_, NewPost{"a", "b", "<p>b</p>"});
  ASSERT_TRUE(stored) << stored.error().message;
  auto session = writer->OpenSession(loop_);
  ASSERT_TRUE(session) << session.error().message;
  // Edits the post and waits until the reader has recorded it. The listener counts each
  // notification before acting on it, in the order they were sent, so by then it has counted
  // every notification of that commit and of the commits before.
  auto edit_and_hear = [&](std::string body) {
    const uint64_t edits_before = reader->EditGeneration();
    auto updated = Await<Result<Post>>([&](auto done) {
      (*session)->Update(stored->id, NewPost{"a", body, "<p>" + body + "</p>"}, std::nullopt, done);
    });
    ASSERT_TRUE(updated && *updated);
    EditGenerationChangesFrom(*reader, edits_before);
    ASSERT_NE(reader->EditGeneration(), edits_before);
  };
  ASSERT_NO_FATAL_FAILURE(edit_and_hear("c"));
  const int64_t heard = NotificationsHeard(*reader);
  ASSERT_GE(heard, 0);
  ASSERT_NO_FATAL_FAILURE(edit_and_hear("d"));
  EXPECT_EQ(NotificationsHeard(*reader), heard + 1);
}

TEST_F(PostgresStoreTest, IdsFollowCommitOrderAcrossInstances) {
  auto a = MustOpen();
  auto b = MustOpen();
  ASSERT_TRUE(a && b);
  int64_t previous_id = 0;
  int64_t previous_ms = 0;
  for (int i = 0; i < 20; ++i) {
    Store& store = i % 2 == 0 ? *a : *b;
    auto stored = InsertAndWait(store, loop_, NewPost{"post", std::to_string(i)});
    ASSERT_TRUE(stored) << stored.error().message;
    EXPECT_GT(stored->id, previous_id);
    EXPECT_GE(stored->created_unix_ms, previous_ms);
    previous_id = stored->id;
    previous_ms = stored->created_unix_ms;
  }
}

TEST_F(PostgresStoreTest, TimestampsNeverGoBackwardsAcrossInstancesWithSlowClocks) {
  FakeClock fast;
  FakeClock slow;
  fast.Set(9000);
  slow.Set(1000);
  auto a = MustOpen(fast);
  auto b = MustOpen(slow);
  ASSERT_TRUE(a && b);
  auto first = InsertAndWait(*a, loop_, NewPost{"a", "b"});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->created_unix_ms, 9000);
  auto second = InsertAndWait(*b, loop_, NewPost{"a", "b"});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->created_unix_ms, 9000);
  slow.Set(9500);
  auto third = InsertAndWait(*b, loop_, NewPost{"a", "b"});
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->created_unix_ms, 9500);
}

TEST_F(PostgresStoreTest, MetricsShowConnectionsAndNotifications) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  auto session = store->OpenSession(loop_);
  ASSERT_TRUE(session) << session.error().message;
  ASSERT_TRUE(InsertAndWait(*store, loop_, NewPost{"t", "b"}));
  std::string text;
  MetricsWriter out(text);
  store->WriteMetrics(out);
  // The session above; InsertAndWait's own session is closed again.
  EXPECT_NE(text.find("fourdollar_pg_read_connections 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fourdollar_pg_connected{connection=\"writer\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("fourdollar_posts_stored_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fourdollar_pg_reconnects_total{connection=\"read\"} 0\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace fourdollar::store::testing
