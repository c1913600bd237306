#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_test_support.h"

namespace fourdollar::store {
namespace {

TEST(OpenStore, UnknownSchemeIsInvalidAndNamed) {
  auto store = OpenStore(StoreOptions{"mysql://db/blog"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(store.error().message.find("mysql://db/blog"), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find("sqlite:"), std::string::npos) << store.error().message;
}

TEST(OpenStore, BarePathIsInvalid) {
  auto store = OpenStore(StoreOptions{"blog.db"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpenStore, ErrorElidesPassword) {
  auto store = OpenStore(StoreOptions{"mysql://user:secret@db/blog"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().message.find("secret"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("mysql://user:"), std::string::npos)
      << store.error().message;
}

TEST(OpenStore, SqliteUrlOpensSqliteStore) {
  testing::TempDir dir;
  auto store = OpenStore(StoreOptions{"sqlite:" + (dir.path() / "blog.db").string()});
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->Describe(), "sqlite:" + (dir.path() / "blog.db").string());
}

}  // namespace
}  // namespace fourdollar::store
