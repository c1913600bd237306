#include "store/sqlite_writer.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace fourdollar::store::testing
