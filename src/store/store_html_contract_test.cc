// The store contract for the rendered HTML kept beside each post's source, and for naming the
// posts each edit changed (the StoreContract fixture of store_contract_test.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "store/store_contract_test.h"

namespace fourdollar::store::testing {

TEST_P(StoreContract, KeepsTheRenderedHtmlBesideTheSource) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  auto stored = InsertAndWait(*session, NewPost{"T", "*old*", "<p><em>old</em></p>\n"});
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->body_html, "<p><em>old</em></p>\n");
  auto read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->body, "*old*");
  EXPECT_EQ((*read)->body_html, "<p><em>old</em></p>\n");

  auto updated = UpdateAndWait(*session, stored->id, NewPost{"T", "**new**", "<p><b>new</b></p>"});
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->body_html, "<p><b>new</b></p>");
  read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->body, "**new**");
  EXPECT_EQ((*read)->body_html, "<p><b>new</b></p>");

  auto deleted = Await<Result<Post>>([&](auto done) { session->Delete(stored->id, done); });
  ASSERT_TRUE(deleted && *deleted);
  read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_TRUE((*read)->deleted);
  EXPECT_EQ((*read)->body_html, "");  // the text goes, HTML too
}

TEST_P(StoreContract, EditedSinceNamesOnlyThePostsChanged) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  ASSERT_TRUE(Listening(*store));
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto stored = InsertAndWait(*session, NewPost{"T", "b", "<p>b</p>"});
    ASSERT_TRUE(stored) << stored.error().message;
    ids.push_back(stored->id);
  }
  const uint64_t before = store->EditGeneration();
  // New posts are no edit.
  EXPECT_TRUE(store->EditedSince(before).ids.has_value());
  EXPECT_TRUE(store->EditedSince(before).ids->empty());

  ASSERT_TRUE(UpdateAndWait(*session, ids[1], NewPost{"T", "c", "<p>c</p>"}));
  EXPECT_NE(store->EditGeneration(), before);
  EditLog::Changes edited = store->EditedSince(before);
  ASSERT_TRUE(edited.ids.has_value());
  EXPECT_FALSE(edited.ids->empty());
  for (int64_t id : *edited.ids) EXPECT_EQ(id, ids[1]);

  const uint64_t after_edit = edited.generation;
  auto deleted = Await<Result<Post>>([&](auto done) { session->Delete(ids[2], done); });
  ASSERT_TRUE(deleted && *deleted);
  edited = store->EditedSince(after_edit);
  ASSERT_TRUE(edited.ids.has_value());
  EXPECT_NE(std::find(edited.ids->begin(), edited.ids->end(), ids[2]), edited.ids->end());
  EXPECT_EQ(std::find(edited.ids->begin(), edited.ids->end(), ids[0]), edited.ids->end());
}

}  // namespace fourdollar::store::testing
