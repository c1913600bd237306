#include "store/postgres_edit_notice.h"

#include <gtest/gtest.h>

namespace fourdollar::store {
namespace {

constexpr std::string_view kOrigin = "0123456789abcdef";

TEST(PostgresEditNotice, NamesTheOriginAndTheEditedPostsAndReadsThemBack) {
  const int64_t ids[] = {3, 17, 9223372036854775807};
  EXPECT_EQ(EditNotice(kOrigin, ids), "0123456789abcdef edit 3 17 9223372036854775807");
  const std::string payload = EditNotice(kOrigin, ids);  // the parse refers to it
  EditNoticeParsed parsed = ParseEditNotice(payload);
  EXPECT_EQ(parsed.origin, kOrigin);
  ASSERT_TRUE(parsed.edited.has_value());
  EXPECT_EQ(*parsed.edited, (std::vector<int64_t>{3, 17, 9223372036854775807}));
}

TEST(PostgresEditNotice, ACommitOfNewPostsOnlySaysItsOrigin) {
  EXPECT_EQ(EditNotice(kOrigin, {}), kOrigin);
  EditNoticeParsed parsed = ParseEditNotice(kOrigin);
  EXPECT_EQ(parsed.origin, kOrigin);
  ASSERT_TRUE(parsed.edited.has_value());
  EXPECT_TRUE(parsed.edited->empty());
}

TEST(PostgresEditNotice, TooManyIdsForOnePayloadSayEditWithoutIds) {
  std::vector<int64_t> ids(1000, 1234567890123);
  EXPECT_EQ(EditNotice(kOrigin, ids), "0123456789abcdef edit");
  EditNoticeParsed parsed = ParseEditNotice("0123456789abcdef edit");
  EXPECT_EQ(parsed.origin, kOrigin);
  EXPECT_FALSE(parsed.edited.has_value());
}

TEST(PostgresEditNotice, PayloadsWithoutAnOriginReadAsFromAnotherInstance) {
  EditNoticeParsed added = ParseEditNotice("");
  EXPECT_TRUE(added.origin.empty());
  ASSERT_TRUE(added.edited.has_value());
  EXPECT_TRUE(added.edited->empty());
  EditNoticeParsed edited = ParseEditNotice("edit 3 17");
  EXPECT_TRUE(edited.origin.empty());
  ASSERT_TRUE(edited.edited.has_value());
  EXPECT_EQ(*edited.edited, (std::vector<int64_t>{3, 17}));
}

TEST(PostgresEditNotice, AnythingElseMeansAnyPostMayHaveChanged) {
  EXPECT_FALSE(ParseEditNotice("edit 3 x").edited.has_value());
  EXPECT_FALSE(ParseEditNotice("edit 0").edited.has_value());
  EXPECT_FALSE(ParseEditNotice("edit  3").edited.has_value());
  EXPECT_FALSE(ParseEditNotice("0123456789abcdef edit 3 x").edited.has_value());
  // Not an origin (not lowercase hexadecimal): nothing is taken from it.
  EditNoticeParsed other = ParseEditNotice("something edit 3");
  EXPECT_TRUE(other.origin.empty());
  EXPECT_FALSE(other.edited.has_value());
}

}  // namespace
}  // namespace fourdollar::store
