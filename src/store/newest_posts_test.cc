// The newest posts carried through commits where no query is at hand to compare with: a list
// that holds every post, a post older than a full list, a list offered for fewer posts than
// asked, a change another instance made. (The store contract compares them with real queries.)
#include "store/newest_posts.h"

#include <gtest/gtest.h>

#include <vector>

namespace fourdollar::store {
namespace {

using Kind = WriteRequest::Kind;

Post Stored(int64_t id, std::string title = "t") {
  Post post;
  post.id = id;
  post.created_unix_ms = id * 1000;
  post.title = std::move(title);
  return post;
}

std::vector<int64_t> Ids(const std::shared_ptr<const PostList>& posts) {
  std::vector<int64_t> ids;
  if (posts) {
    for (const PostSummary& post : *posts) ids.push_back(post.id);
  }
  return ids;
}

// Offers `ids` (newest first) as the answer to a query for `limit` posts.
void Offer(NewestPosts& newest, size_t limit, std::vector<int64_t> ids) {
  PostList posts;
  for (int64_t id : ids) posts.push_back(PostSummary{id, id * 1000, "t", 0});
  newest.Offer(newest.Generation(), limit, std::make_shared<const PostList>(std::move(posts)));
}

void Commit(NewestPosts& newest, std::vector<Kind> kinds, std::vector<Result<Post>> outcomes) {
  std::vector<PendingWrite> writes;
  for (Kind kind : kinds) writes.push_back(PendingWrite{WriteRequest{kind, 0, std::nullopt, {}}});
  newest.Commit(writes, outcomes);
}

TEST(NewestPosts, ListOfEveryPostFollowsDeletesAndGrowsToItsLimit) {
  NewestPosts newest;
  Offer(newest, 3, {2, 1});  // fewer than asked: every post there is
  Commit(newest, {Kind::kDelete}, {Stored(1)});
  EXPECT_EQ(Ids(newest.Find(newest.Generation(), 3)), (std::vector<int64_t>{2}));
  Commit(newest, {Kind::kInsert, Kind::kInsert, Kind::kInsert}, {Stored(3), Stored(4), Stored(5)});
  EXPECT_EQ(Ids(newest.Find(newest.Generation(), 3)), (std::vector<int64_t>{5, 4, 3}));
}

TEST(NewestPosts, FullListForgetsAListedDeleteAndIgnoresOthers) {
  NewestPosts newest;
  Offer(newest, 2, {9, 8});
  Commit(newest, {Kind::kDelete}, {Stored(3)});  // below the list: it stays as it is
  EXPECT_EQ(Ids(newest.Find(newest.Generation(), 2)), (std::vector<int64_t>{9, 8}));
  Commit(newest, {Kind::kDelete}, {Stored(8)});  // which post moves up is not known
  EXPECT_EQ(newest.Find(newest.Generation(), 2), nullptr);
}

TEST(NewestPosts, PostsTakeTheirPlaceByIdAndFailedWritesChangeNothing) {
  NewestPosts newest;
  Offer(newest, 3, {10, 8, 6});
  Commit(newest, {Kind::kInsert, Kind::kInsert, Kind::kInsert, Kind::kUpdate},
         {Stored(9), Stored(5), MakeError(ErrorCode::kIo, "lost"), Stored(10, "edited")});
  auto posts = newest.Find(newest.Generation(), 3);
  EXPECT_EQ(Ids(posts), (std::vector<int64_t>{10, 9, 8}));
  ASSERT_TRUE(posts);
  EXPECT_EQ(posts->front().title, "edited");
}

TEST(NewestPosts, FindsOnlyAtItsGenerationAndForAtMostItsLimit) {
  NewestPosts newest;
  const uint64_t before = newest.Generation();
  Offer(newest, 2, {4, 3});
  EXPECT_EQ(newest.Find(before, 3), nullptr) << "a full list of 2 cannot answer for 3";
  EXPECT_EQ(Ids(newest.Find(before, 1)), (std::vector<int64_t>{4, 3}));
  Commit(newest, {Kind::kInsert}, {Stored(5)});
  EXPECT_EQ(newest.Find(before, 2), nullptr);
  newest.Offer(before, 5, std::make_shared<const PostList>());  // read before the commit
  EXPECT_EQ(Ids(newest.Find(newest.Generation(), 2)), (std::vector<int64_t>{5, 4}));
}

TEST(NewestPosts, AnswerThatAlreadyHoldsTheCommitIsNotChangedTwice) {
  // A loop's query can read a commit's rows before the writer bumps the generation for it: the
  // answer is offered at the older generation and kept, and that commit then finds its new post
  // listed, its edit applied and its deleted post gone.
  NewestPosts newest;
  Offer(newest, 3, {7, 6, 5});  // 7 new and 6 edited by the commit below, 4 deleted by it
  Commit(newest, {Kind::kInsert, Kind::kUpdate, Kind::kDelete},
         {Stored(7), Stored(6, "edited"), Stored(4)});
  auto posts = newest.Find(newest.Generation(), 3);
  EXPECT_EQ(Ids(posts), (std::vector<int64_t>{7, 6, 5}));
  ASSERT_TRUE(posts);
  EXPECT_EQ((*posts)[1].title, "edited");
}

TEST(NewestPosts, ChangeOfUnknownPostsForgetsUntilTheNextOffer) {
  NewestPosts newest;
  Offer(newest, 2, {4, 3});
  newest.BumpUnknown();
  EXPECT_EQ(newest.Find(newest.Generation(), 2), nullptr);
  Commit(newest, {Kind::kInsert}, {Stored(5)});
  EXPECT_EQ(newest.Find(newest.Generation(), 2), nullptr);
  Offer(newest, 2, {6, 5});
  EXPECT_EQ(Ids(newest.Find(newest.Generation(), 2)), (std::vector<int64_t>{6, 5}));
}

}  // namespace
}  // namespace fourdollar::store
