#include "store/edit_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace fourdollar::store {
namespace {

std::vector<int64_t> Sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(EditLog, NamesThePostsChangedSinceAGeneration) {
  EditLog log;
  EXPECT_EQ(log.Generation(), 0u);
  const int64_t first[] = {3, 5};
  log.Record(first);
  const int64_t second[] = {9};
  log.Record(second);
  EXPECT_EQ(log.Generation(), 2u);

  EditLog::Changes all = log.ChangedSince(0);
  EXPECT_EQ(all.generation, 2u);
  ASSERT_TRUE(all.ids.has_value());
  EXPECT_EQ(Sorted(*all.ids), (std::vector<int64_t>{3, 5, 9}));

  EditLog::Changes last = log.ChangedSince(1);
  ASSERT_TRUE(last.ids.has_value());
  EXPECT_EQ(*last.ids, (std::vector<int64_t>{9}));

  EditLog::Changes none = log.ChangedSince(2);
  ASSERT_TRUE(none.ids.has_value());
  EXPECT_TRUE(none.ids->empty());
}

TEST(EditLog, AStepWithNoPostsIsNoStep) {
  EditLog log;
  const int64_t first[] = {4};
  log.Record(first);
  log.Record({});
  EXPECT_EQ(log.Generation(), 1u);
  EditLog::Changes since = log.ChangedSince(1);
  ASSERT_TRUE(since.ids.has_value());
  EXPECT_TRUE(since.ids->empty());
}

TEST(EditLog, AnUnknownChangeMeansAnyPostForReadersBehindIt) {
  EditLog log;
  const int64_t ids[] = {4};
  log.Record(ids);
  log.RecordUnknown();
  EXPECT_FALSE(log.ChangedSince(0).ids.has_value());
  EXPECT_FALSE(log.ChangedSince(1).ids.has_value());
  log.Record(ids);
  EditLog::Changes after = log.ChangedSince(2);
  ASSERT_TRUE(after.ids.has_value());
  EXPECT_EQ(*after.ids, (std::vector<int64_t>{4}));
}

TEST(EditLog, AReaderFurtherBehindThanTheLogKeepsIsToldAnyPost) {
  EditLog log;
  std::vector<int64_t> many(EditLog::kMaxEntries / 2 + 1);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<int64_t>(i + 1);
  log.Record(many);
  log.Record(many);  // the first step no longer fits whole
  EXPECT_FALSE(log.ChangedSince(0).ids.has_value());
  EditLog::Changes recent = log.ChangedSince(1);
  ASSERT_TRUE(recent.ids.has_value());
  EXPECT_EQ(recent.ids->size(), many.size());
}

}  // namespace
}  // namespace fourdollar::store
