#include "store/postgres_edit_notice.h"

#include <gtest/gtest.h>

namespace fourdollar::store {
namespace {

TEST(PostgresEditNotice, NamesTheEditedPostsAndReadsThemBack) {
  const int64_t ids[] = {3, 17, 9223372036854775807};
  EXPECT_EQ(EditNotice(ids), "edit 3 17 9223372036854775807");
  EditedPosts parsed = ParseEditNotice(EditNotice(ids));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (std::vector<int64_t>{3, 17, 9223372036854775807}));
}

TEST(PostgresEditNotice, ACommitOfNewPostsOnlySaysNothing) {
  EXPECT_EQ(EditNotice({}), "");
  EditedPosts parsed = ParseEditNotice("");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->empty());
}

TEST(PostgresEditNotice, TooManyIdsForOnePayloadSayEditWithoutIds) {
  std::vector<int64_t> ids(1000, 1234567890123);
  EXPECT_EQ(EditNotice(ids), "edit");
  EXPECT_FALSE(ParseEditNotice("edit").has_value());
}

TEST(PostgresEditNotice, AnythingElseMeansAnyPostMayHaveChanged) {
  EXPECT_FALSE(ParseEditNotice("edit 3 x").has_value());
  EXPECT_FALSE(ParseEditNotice("edit 0").has_value());
  EXPECT_FALSE(ParseEditNotice("edit  3").has_value());
  EXPECT_FALSE(ParseEditNotice("something").has_value());
}

}  // namespace
}  // namespace fourdollar::store
