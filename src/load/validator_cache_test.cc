#include "load/validator_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace fourdollar::load {
namespace {

TEST(ValidatorCache, FindsTheLastTagStoredForAUrl) {
  ValidatorCache cache;
  EXPECT_EQ(cache.Find("/"), nullptr);
  cache.Store("/", "\"a\"", 200, false, "ignored");
  cache.Store("/1", "\"b\"", 200, true, "<p>one</p>");
  cache.Store("/", "\"c\"", 200, false, "");
  ASSERT_NE(cache.Find("/"), nullptr);
  EXPECT_EQ(cache.Find("/")->etag, "\"c\"");
  EXPECT_FALSE(cache.Find("/")->has_body);
  EXPECT_EQ(cache.Find("/")->body, "");
  ASSERT_NE(cache.Find("/1"), nullptr);
  EXPECT_EQ(cache.Find("/1")->body, "<p>one</p>");
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ValidatorCache, DropsThePageStoredLongestAgoPastTheEntryBound) {
  ValidatorCache cache;
  for (size_t i = 0; i <= ValidatorCache::kMaxEntries; ++i) {
    cache.Store("/" + std::to_string(i), "\"t\"", 200, false, "");
  }
  EXPECT_EQ(cache.size(), ValidatorCache::kMaxEntries);
  EXPECT_EQ(cache.Find("/0"), nullptr);
  EXPECT_NE(cache.Find("/1"), nullptr);
  EXPECT_NE(cache.Find("/" + std::to_string(ValidatorCache::kMaxEntries)), nullptr);
}

TEST(ValidatorCache, KeepsItsBytesWithinTheBoundAndRefusesAPageLargerThanIt) {
  ValidatorCache cache;
  const std::string third(ValidatorCache::kMaxBytes / 3, 'x');
  cache.Store("/a", "\"a\"", 200, true, third);
  cache.Store("/b", "\"b\"", 200, true, third);
  cache.Store("/c", "\"c\"", 200, true, third);  // /a goes: three thirds plus URLs do not fit
  EXPECT_EQ(cache.Find("/a"), nullptr);
  EXPECT_NE(cache.Find("/b"), nullptr);
  EXPECT_NE(cache.Find("/c"), nullptr);
  EXPECT_LE(cache.bytes(), ValidatorCache::kMaxBytes);
  cache.Store("/big", "\"big\"", 200, true, std::string(ValidatorCache::kMaxBytes, 'y'));
  EXPECT_EQ(cache.Find("/big"), nullptr);
  EXPECT_NE(cache.Find("/c"), nullptr);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace fourdollar::load
