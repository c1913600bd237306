#include "store/sqlite_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "store/sqlite_schema.h"
#include "store/store_test_support.h"

namespace fourdollar::store::testing {
namespace {

// A writer over a database that may not grow past its current size plus `spare_pages`, as if
// the disk were nearly full.
std::unique_ptr<SqliteWriter> StartCappedWriter(const std::string& path, int64_t spare_pages) {
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, 1000);
  if (!db) {
    ADD_FAILURE() << db.error().message;
    return nullptr;
  }
  auto prepared =
      db->QueryText("PRAGMA journal_mode=WAL")
          .and_then([&](const std::string&) { return MigrateSqliteSchema(*db); })
          .and_then([&] { return db->QueryInt64("PRAGMA page_count"); })
          .and_then([&](int64_t pages) {
            return db->QueryInt64("PRAGMA max_page_count = " + std::to_string(pages + spare_pages));
          });
  if (!prepared) {
    ADD_FAILURE() << prepared.error().message;
    return nullptr;
  }
  auto writer = SqliteWriter::Start(std::move(*db), RealClock(), {16, 16});
  if (!writer) {
    ADD_FAILURE() << writer.error().message;
    return nullptr;
  }
  return std::move(*writer);
}

Result<Post> Submit(SqliteWriter& writer, Executor& loop, NewPost post) {
  auto result = Await<Result<Post>>([&](auto done) {
    writer.Submit(WriteRequest{WriteRequest::Kind::kInsert, 0, std::nullopt, std::move(post)}, loop,
                  std::move(done));
  });
  return result ? *result : MakeError(ErrorCode::kInternal, "Submit did not complete in time");
}

TEST(SqliteWriter, FullDiskFailsTheBatchAndLaterBatchesStillCommit) {
  TempDir dir;
  ThreadExecutor loop;
  auto writer = StartCappedWriter((dir.path() / "blog.db").string(), 2);
  ASSERT_TRUE(writer);
  const uint64_t generation_before = writer->Generation();

  auto too_big = Submit(*writer, loop, NewPost{"big", std::string(1 << 20, 'x')});
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(too_big.error().message.find("disk full"), std::string::npos)
      << too_big.error().message;
  EXPECT_EQ(writer->Generation(), generation_before);

  auto small = Submit(*writer, loop, NewPost{"small", "fits"});
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_GT(small->id, 0);

  std::string metrics;
  MetricsWriter out(metrics);
  writer->WriteMetrics(out);
  EXPECT_NE(metrics.find("fourdollar_write_failures_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("fourdollar_write_disk_full_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("fourdollar_posts_stored_total 1\n"), std::string::npos) << metrics;
}

// Runs each task at once on the thread that posts it: here the writer's, so a completion sees
// the files as they were when the writer answered.
class InlineExecutor final : public Executor {
 public:
  void Post(std::function<void()> task) override { task(); }
};

TEST(SqliteWriter, AnswersACommitBeforeTheCheckpointItCallsFor) {
  TempDir dir;
  const std::string path = (dir.path() / "blog.db").string();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, 1000);
  ASSERT_TRUE(db) << db.error().message;
  auto prepared = db->QueryText("PRAGMA journal_mode=WAL").and_then([&](const std::string&) {
    return MigrateSqliteSchema(*db);
  });
  ASSERT_TRUE(prepared) << prepared.error().message;
  auto page_size = db->QueryInt64("PRAGMA page_size");
  ASSERT_TRUE(page_size) << page_size.error().message;
  constexpr int kCheckpointFrames = 8;
  auto writer = SqliteWriter::Start(std::move(*db), RealClock(), {16, 16}, kCheckpointFrames);
  ASSERT_TRUE(writer) << writer.error().message;
  // In WAL mode the database file changes only when a checkpoint copies pages into it.
  const auto database_bytes = [&] { return std::filesystem::file_size(path); };
  const uint64_t bytes_before = database_bytes();

  // Each post (two pages of text) takes a few frames; the WAL grows past the threshold within
  // the first three commits, and is copied back after the answer of the commit that did it.
  struct Seen {
    uint64_t database_bytes;
    uint64_t wal_frames;
  };
  std::vector<Seen> seen;
  InlineExecutor inline_loop;
  for (int i = 0; i < 6; ++i) {
    std::promise<Result<Post>> answered;
    (*writer)->Submit(
        WriteRequest{WriteRequest::Kind::kInsert, 0, std::nullopt,
                     NewPost{"post " + std::to_string(i), std::string(6000, 'a' + i)}},
        inline_loop, [&](Result<Post> stored) {
          const uint64_t wal_bytes = std::filesystem::file_size(path + "-wal");
          seen.push_back({database_bytes(), (wal_bytes - 32) / (24 + *page_size)});
          answered.set_value(std::move(stored));
        });
    std::future<Result<Post>> answer = answered.get_future();
    ASSERT_EQ(answer.wait_for(kWaitLimit), std::future_status::ready);
    auto stored = answer.get();
    ASSERT_TRUE(stored) << stored.error().message;
  }
  size_t due = 0;
  while (due < seen.size() && seen[due].wal_frames < kCheckpointFrames) ++due;
  ASSERT_LT(due + 1, seen.size()) << "the WAL never reached " << kCheckpointFrames << " frames";
  for (size_t i = 0; i <= due; ++i) {
    EXPECT_EQ(seen[i].database_bytes, bytes_before) << "answer " << i << " came after a checkpoint";
  }
  EXPECT_GT(seen[due + 1].database_bytes, bytes_before)
      << "no checkpoint after the commit that left " << seen[due].wal_frames << " frames";

  std::string metrics;
  MetricsWriter out(metrics);
  (*writer)->WriteMetrics(out);
  EXPECT_NE(metrics.find("\nfourdollar_sqlite_checkpoints_total "), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("\nfourdollar_sqlite_checkpoints_total 0\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nfourdollar_sqlite_checkpoint_failures_total 0\n"), std::string::npos)
      << metrics;
  (*writer)->Shutdown();

  auto reader = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly, 1000);
  ASSERT_TRUE(reader) << reader.error().message;
  auto count = reader->QueryInt64("SELECT COUNT(*) FROM posts");
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 6);
}

TEST(SqliteWriter, RefusesACheckpointThresholdBelowOneFrame) {
  TempDir dir;
  auto db =
      SqliteDb::Open((dir.path() / "blog.db").string(), SqliteDb::Mode::kReadWriteCreate, 1000);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(MigrateSqliteSchema(*db));
  auto writer = SqliteWriter::Start(std::move(*db), RealClock(), {16, 16}, 0);
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(writer.error().message.find("checkpoint"), std::string::npos) << writer.error().message;
}

}  // namespace
}  // namespace fourdollar::store::testing
