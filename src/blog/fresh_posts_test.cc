#include "blog/fresh_posts.h"

#include <gtest/gtest.h>

#include <string>

namespace fourdollar::blog {
namespace {

store::Post PostOf(int64_t id, size_t body_bytes = 10) {
  store::Post post;
  post.id = id;
  post.title = "t";
  post.body = std::string(body_bytes, 'b');
  post.body_html = "<p>" + post.body + "</p>";
  return post;
}

TEST(FreshPosts, FindsAKeptPostWithItsEditGeneration) {
  FreshPosts fresh;
  fresh.Keep(PostOf(7), 3);
  const FreshPosts::Entry* entry = fresh.Find(7);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->post.id, 7);
  EXPECT_EQ(entry->edits_before, 3u);
  EXPECT_EQ(fresh.Find(8), nullptr);
}

TEST(FreshPosts, KeepsOnlyTheNewestPosts) {
  FreshPosts fresh;
  for (int64_t id = 1; id <= static_cast<int64_t>(FreshPosts::kMaxPosts) + 5; ++id) {
    fresh.Keep(PostOf(id), 0);
  }
  EXPECT_EQ(fresh.size(), FreshPosts::kMaxPosts);
  EXPECT_EQ(fresh.Find(5), nullptr);
  EXPECT_NE(fresh.Find(6), nullptr);
  EXPECT_NE(fresh.Find(FreshPosts::kMaxPosts + 5), nullptr);
}

TEST(FreshPosts, DropsTheOldestToStayWithinItsBytes) {
  FreshPosts fresh;
  const size_t big = FreshPosts::kMaxBytes / 5;  // body and its HTML: two fifths each
  fresh.Keep(PostOf(1, big), 0);
  fresh.Keep(PostOf(2, big), 0);
  fresh.Keep(PostOf(3, big), 0);  // 1 must go for 3 to fit
  EXPECT_EQ(fresh.Find(1), nullptr);
  EXPECT_NE(fresh.Find(2), nullptr);
  EXPECT_NE(fresh.Find(3), nullptr);
}

TEST(FreshPosts, APostLargerThanTheBudgetIsNotKeptAndDropsNothing) {
  FreshPosts fresh;
  fresh.Keep(PostOf(1), 0);
  fresh.Keep(PostOf(2, FreshPosts::kMaxBytes), 0);
  EXPECT_EQ(fresh.Find(2), nullptr);
  EXPECT_NE(fresh.Find(1), nullptr);
}

TEST(FreshPosts, ForgetDropsOnePostAndFreesItsBytes) {
  FreshPosts fresh;
  const size_t big = FreshPosts::kMaxBytes / 5;
  fresh.Keep(PostOf(1, big), 0);
  fresh.Keep(PostOf(2, big), 0);
  fresh.Forget(1);
  fresh.Forget(9);  // not kept: nothing happens
  EXPECT_EQ(fresh.Find(1), nullptr);
  fresh.Keep(PostOf(3, big), 0);  // fits beside 2 now that 1's bytes are free
  EXPECT_NE(fresh.Find(2), nullptr);
  EXPECT_NE(fresh.Find(3), nullptr);
}

}  // namespace
}  // namespace fourdollar::blog
