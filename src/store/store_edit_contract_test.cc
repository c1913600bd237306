// The store contract for edits and deletes (the StoreContract fixture of
// store_contract_test.h; every backend that instantiates it runs these too).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store_contract_test.h"

namespace fourdollar::store::testing {

namespace {

// The fields a list page shows, for comparing two lists.
std::vector<std::string> Listed(const PostList& posts) {
  std::vector<std::string> rows;
  for (const PostSummary& post : posts) {
    rows.push_back(std::to_string(post.id) + " " + std::to_string(post.created_unix_ms) + " " +
                   post.title + " " + std::to_string(post.updated_unix_ms));
  }
  return rows;
}

}  // namespace

TEST_P(StoreContract, UpdateKeepsIdAndCreationAndStampsUpdated) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  auto stored = InsertAndWait(*session, NewPost{"First", "old text"});
  ASSERT_TRUE(stored) << stored.error().message;
  const uint64_t edits_before = store->EditGeneration();

  auto updated = UpdateAndWait(*session, stored->id, NewPost{"Second", "new text"}, std::nullopt);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->id, stored->id);
  EXPECT_EQ(updated->created_unix_ms, stored->created_unix_ms);
  EXPECT_GE(updated->updated_unix_ms, stored->created_unix_ms);
  EXPECT_EQ(updated->revision, stored->revision + 1);
  EXPECT_NE(store->EditGeneration(), edits_before);

  auto read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->title, "Second");
  EXPECT_EQ((*read)->body, "new text");
  EXPECT_EQ((*read)->created_unix_ms, stored->created_unix_ms);
  EXPECT_EQ((*read)->updated_unix_ms, updated->updated_unix_ms);
  EXPECT_EQ((*read)->revision, updated->revision);
  auto latest = LatestAndWait(*session, std::nullopt, 10);
  ASSERT_TRUE(latest) << latest.error().message;
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ(latest->front().title, "Second");
}

TEST_P(StoreContract, UpdateAtAStaleRevisionChangesNothing) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  auto stored = InsertAndWait(*session, NewPost{"t", "v1"});
  ASSERT_TRUE(stored) << stored.error().message;
  auto first = UpdateAndWait(*session, stored->id, NewPost{"t", "v2"}, stored->revision);
  ASSERT_TRUE(first) << first.error().message;

  // A second editor still holding revision 1.
  auto stale = UpdateAndWait(*session, stored->id, NewPost{"t", "v3"}, stored->revision);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition) << stale.error().message;
  auto read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->body, "v2");
}

TEST_P(StoreContract, UpdateOfUnknownIdIsNotFound) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  auto updated = UpdateAndWait(*session, 424242, NewPost{"t", "b"}, std::nullopt);
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::kNotFound) << updated.error().message;
  auto deleted = DeleteAndWait(*session, 424242);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ErrorCode::kNotFound) << deleted.error().message;
}

TEST_P(StoreContract, DeleteLeavesATombstoneAndTheIdIsNeverReused) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  auto kept = InsertAndWait(*session, NewPost{"kept", "b"});
  auto gone = InsertAndWait(*session, NewPost{"gone", "secret"});
  ASSERT_TRUE(kept && gone);

  auto deleted = DeleteAndWait(*session, gone->id);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(deleted->deleted);
  auto read = GetAndWait(*session, gone->id);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE((*read)->deleted);
  EXPECT_EQ((*read)->body, "");  // the text itself is gone
  auto latest = LatestAndWait(*session, std::nullopt, 10);
  ASSERT_TRUE(latest) << latest.error().message;
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ(latest->front().id, kept->id);

  // Deleted twice, edited after deletion: gone.
  auto again = DeleteAndWait(*session, gone->id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kGone);
  auto edit = UpdateAndWait(*session, gone->id, NewPost{"t", "b"}, std::nullopt);
  ASSERT_FALSE(edit);
  EXPECT_EQ(edit.error().code, ErrorCode::kGone);

  // The newest post was the deleted one: the next post still gets a new id.
  auto next = InsertAndWait(*session, NewPost{"next", "b"});
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_GT(next->id, gone->id);
}

TEST_P(StoreContract, RefusedChangesDoNotFailTheirBatch) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  auto stored = InsertAndWait(*session, NewPost{"t", "v1"});
  ASSERT_TRUE(stored) << stored.error().message;
  // Queued together, so that they likely share a transaction.
  auto results = Await<std::pair<Result<Post>, Result<Post>>>([&](auto done) {
    auto first = std::make_shared<std::optional<Result<Post>>>();
    session->Update(424242, NewPost{"t", "x"}, std::nullopt,
                    [first](Result<Post> r) { *first = std::move(r); });
    session->Update(stored->id, NewPost{"t", "v2"}, std::nullopt, [first, done](Result<Post> r) {
      done({std::move(**first), std::move(r)});
    });
  });
  ASSERT_TRUE(results);
  EXPECT_FALSE(results->first);
  ASSERT_TRUE(results->second) << results->second.error().message;
  auto read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->body, "v2");
}

// The newest posts a store keeps after an offer are, whenever it has them, what a query reads:
// through new posts, edits and deletes; and a list offered at an older generation is never
// served.
TEST_P(StoreContract, NewestPostsFollowCommitsAsAQueryWouldRead) {
  constexpr int kLimit = 3;
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  std::vector<int64_t> ids;
  for (const char* title : {"one", "two"}) {
    auto stored = InsertAndWait(*session, NewPost{title, "text"});
    ASSERT_TRUE(stored) << stored.error().message;
    ids.push_back(stored->id);
  }
  // A store that hears of other instances' commits forgets the newest posts as it starts
  // listening: after that, only this instance commits here.
  ASSERT_TRUE(Listening(*store));
  uint64_t generation = store->Generation();
  EXPECT_EQ(store->Newest(generation, kLimit), nullptr) << "known before any offer";
  auto offer = [&] {
    generation = store->Generation();
    auto latest = LatestAndWait(*session, std::nullopt, kLimit);
    ASSERT_TRUE(latest) << latest.error().message;
    store->OfferNewest(generation, kLimit, std::make_shared<const PostList>(std::move(*latest)));
  };
  offer();
  // Whenever the store says it knows them, they are what a query reads now.
  auto expect_as_queried = [&](const char* step) -> bool {
    auto known = store->Newest(store->Generation(), kLimit);
    auto latest = LatestAndWait(*session, std::nullopt, kLimit);
    EXPECT_TRUE(latest) << step;
    if (known && latest) {
      EXPECT_EQ(Listed(*known), Listed(*latest)) << step;
    }
    return known != nullptr;
  };
  EXPECT_TRUE(expect_as_queried("offered"));

  // New posts are followed: this instance committed them.
  for (const char* title : {"three", "four"}) {
    auto stored = InsertAndWait(*session, NewPost{title, "text"});
    ASSERT_TRUE(stored) << stored.error().message;
    ids.push_back(stored->id);
  }
  EXPECT_EQ(store->Newest(generation, kLimit), nullptr) << "served for an older generation";
  EXPECT_TRUE(expect_as_queried("after two new posts"));

  // So are edits, of a listed post and of one below the list.
  const size_t newest = ids.size() - 1;
  ASSERT_TRUE(UpdateAndWait(*session, ids[newest - 1], NewPost{"edited", "t"}, std::nullopt));
  ASSERT_TRUE(UpdateAndWait(*session, ids[0], NewPost{"one, edited", "t"}, std::nullopt));
  EXPECT_TRUE(expect_as_queried("after edits"));

  // A listed post deleted: the store may forget the list (the one that moves up is unknown),
  // but never shows the deleted post.
  ASSERT_TRUE(DeleteAndWait(*session, ids[newest]));
  expect_as_queried("after a delete");
  offer();
  EXPECT_TRUE(expect_as_queried("offered again"));

  // An offer read before a commit is not kept.
  const uint64_t stale = store->Generation();
  ASSERT_TRUE(InsertAndWait(*session, NewPost{"five", "text"}));
  store->OfferNewest(stale, kLimit, std::make_shared<const PostList>(PostList{{1, 0, "stale"}}));
  expect_as_queried("after a stale offer");
}

}  // namespace fourdollar::store::testing
