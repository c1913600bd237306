#include "blog/page_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace fourdollar::blog {
namespace {

// A page whose charge (size + overhead) is exactly `charge_bytes`.
PageCache::Page PageCharged(size_t charge_bytes, char fill = 'x') {
  // Built by hand, as a 410 page: a 200 page is charged for its compressed copies too.
  auto page = std::make_shared<RenderedPage>();
  page->status = 410;
  page->html.assign(charge_bytes - PageCache::kEntryOverheadBytes, fill);
  return page;
}

TEST(PageCache, ReturnsTheSamePagePutWithoutCopying) {
  PageCache cache(4096);
  PageCache::Page page = PageCharged(1000);
  cache.PutPost(7, page);
  EXPECT_EQ(cache.FindPost(7).get(), page.get());
  EXPECT_EQ(cache.FindPost(8), nullptr);
  CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, 1000u);
}

TEST(PageCache, DropsOnePostPageAndKeepsTheOthers) {
  PageCache cache(8192);
  cache.PutPost(7, PageCharged(1000));
  cache.PutPost(-7, PageCharged(1000));
  cache.PutPost(8, PageCharged(1000));
  cache.PutList(0, 1, PageCharged(1000));
  cache.DropPost(7);
  cache.DropPost(9);  // not there: nothing happens
  EXPECT_EQ(cache.FindPost(7), nullptr);
  EXPECT_NE(cache.FindPost(-7), nullptr);
  EXPECT_NE(cache.FindPost(8), nullptr);
  EXPECT_NE(cache.FindList(0, 1), nullptr);
  CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.entries, 3u);
  EXPECT_EQ(stats.bytes, 3000u);
  EXPECT_EQ(stats.evictions, 0u);
}

TEST(PageCache, DropsEveryPostPageButNotTheLists) {
  PageCache cache(8192);
  cache.PutPost(7, PageCharged(1000));
  cache.PutPost(8, PageCharged(1000));
  cache.PutList(0, 1, PageCharged(1000));
  cache.DropPosts();
  EXPECT_EQ(cache.FindPost(7), nullptr);
  EXPECT_EQ(cache.FindPost(8), nullptr);
  EXPECT_NE(cache.FindList(0, 1), nullptr);
  EXPECT_EQ(cache.Stats().entries, 1u);
}

TEST(PageCache, EvictsLeastRecentlyUsedToStayWithinBytes) {
  PageCache cache(3000);
  cache.PutPost(1, PageCharged(1000));
  cache.PutPost(2, PageCharged(1000));
  cache.PutPost(3, PageCharged(1000));
  ASSERT_NE(cache.FindPost(1), nullptr);  // 1 is now the most recently used; 2 the least
  cache.PutPost(4, PageCharged(1500));    // needs 1500: drops 2, then 3
  EXPECT_EQ(cache.FindPost(2), nullptr);
  EXPECT_EQ(cache.FindPost(3), nullptr);
  EXPECT_NE(cache.FindPost(1), nullptr);
  EXPECT_NE(cache.FindPost(4), nullptr);
  CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.evictions, 2u);
  EXPECT_EQ(stats.bytes, 2500u);
  EXPECT_EQ(stats.entries, 2u);
}

TEST(PageCache, KeepsExactlyAFullBudget) {
  PageCache cache(2000);
  cache.PutPost(1, PageCharged(1000));
  cache.PutPost(2, PageCharged(1000));
  EXPECT_NE(cache.FindPost(1), nullptr);
  EXPECT_NE(cache.FindPost(2), nullptr);
  EXPECT_EQ(cache.Stats().evictions, 0u);
}

TEST(PageCache, SkipsPagesLargerThanTheBudget) {
  PageCache cache(2000);
  cache.PutPost(1, PageCharged(1000));
  cache.PutPost(2, PageCharged(2001));
  EXPECT_EQ(cache.FindPost(2), nullptr);
  EXPECT_NE(cache.FindPost(1), nullptr);  // nothing was evicted for a page that cannot fit
}

TEST(PageCache, ZeroBudgetKeepsNothing) {
  PageCache cache(0);
  cache.PutPost(1, PageCharged(200));
  cache.PutList(0, 1, PageCharged(200));
  EXPECT_EQ(cache.FindPost(1), nullptr);
  EXPECT_EQ(cache.FindList(0, 1), nullptr);
  EXPECT_EQ(cache.Stats().entries, 0u);
}

TEST(PageCache, ReplacingAPageRechargesItsSize) {
  PageCache cache(4096);
  cache.PutList(0, 1, PageCharged(1000));
  cache.PutList(0, 2, PageCharged(300));
  EXPECT_EQ(cache.Stats().bytes, 300u);
  EXPECT_EQ(cache.Stats().entries, 1u);
}

TEST(PageCache, ListPageOfAnotherGenerationIsStaleAndDropped) {
  PageCache cache(4096);
  PageCache::Page page = PageCharged(500);
  cache.PutList(0, 41, page);
  EXPECT_EQ(cache.FindList(0, 41).get(), page.get());
  EXPECT_EQ(cache.FindList(0, 42), nullptr);
  EXPECT_EQ(cache.Stats().entries, 0u);
  EXPECT_EQ(cache.FindList(0, 41), nullptr);  // gone, not kept for an old generation
}

TEST(PageCache, KeysListPagesByBeforeIdApartFromPosts) {
  PageCache cache(8192);
  PageCache::Page front = PageCharged(500, 'f');
  PageCache::Page older = PageCharged(500, 'o');
  PageCache::Page post = PageCharged(500, 'p');
  cache.PutList(0, 1, front);
  cache.PutList(20, 1, older);
  cache.PutPost(20, post);
  EXPECT_EQ(cache.FindList(0, 1).get(), front.get());
  EXPECT_EQ(cache.FindList(20, 1).get(), older.get());
  EXPECT_EQ(cache.FindPost(20).get(), post.get());
}

TEST(PageCache, MetricsSumAllCaches) {
  CacheStats a{1, 2, 3, 4, 5};
  CacheStats b{10, 20, 30, 40, 50};
  CacheStats both[] = {a, b};
  std::string text;
  MetricsWriter writer(text);
  WriteCacheMetrics(both, writer);
  EXPECT_NE(text.find("fourdollar_page_cache_hits_total 11\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fourdollar_page_cache_misses_total 22\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fourdollar_page_cache_entries 55\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace fourdollar::blog
