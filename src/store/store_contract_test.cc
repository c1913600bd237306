#include "store/store_contract_test.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/metrics.h"

namespace fourdollar::store::testing {

namespace {

Error TimedOut(std::string_view what) {
  return Error{ErrorCode::kInternal, std::string(what) + " did not complete in time"};
}

std::string MetricsText(const Store& store) {
  std::string text;
  MetricsWriter writer(text);
  store.WriteMetrics(writer);
  return text;
}

// The value of the sample whose name and labels are exactly `sample`, or -1 when absent.
double SampleValue(const std::string& text, const std::string& sample) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(sample + " ")) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

std::vector<int64_t> Ids(const PostList& posts) {
  std::vector<int64_t> ids;
  for (const PostSummary& post : posts) ids.push_back(post.id);
  return ids;
}

}  // namespace

std::unique_ptr<Store> StoreContract::OpenTestStore(size_t max_queued_writes, size_t max_batch) {
  // PostgreSQL reads wait up to 10 s here: a loaded test machine is not a hung database.
  auto store =
      OpenStore(StoreOptions{url_, max_queued_writes, max_batch, /*read_timeout_ms=*/10000});
  if (!store) {
    ADD_FAILURE() << "cannot open " << url_ << ": " << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

std::unique_ptr<StoreSession> StoreContract::OpenTestSession(Store& store, Executor& loop) {
  auto session = store.OpenSession(loop);
  if (!session) {
    ADD_FAILURE() << "cannot open a session: " << session.error().message;
    return nullptr;
  }
  return std::move(*session);
}

Result<Post> StoreContract::InsertAndWait(StoreSession& session, NewPost post) {
  auto result = Await<Result<Post>>([&](auto done) { session.Insert(std::move(post), done); });
  return result ? *result : tl::unexpected(TimedOut("Insert"));
}

Result<std::optional<Post>> StoreContract::GetAndWait(StoreSession& session, int64_t id) {
  auto result = Await<Result<std::optional<Post>>>([&](auto done) { session.Get(id, done); });
  return result ? *result : tl::unexpected(TimedOut("Get"));
}

Result<PostList> StoreContract::LatestAndWait(StoreSession& session,
                                              std::optional<int64_t> before_id, int limit) {
  auto result = Await<Result<PostList>>([&](auto done) { session.Latest(before_id, limit, done); });
  return result ? *result : tl::unexpected(TimedOut("Latest"));
}

Result<Post> StoreContract::UpdateAndWait(StoreSession& session, int64_t id, NewPost post,
                                          std::optional<int64_t> revision) {
  auto result =
      Await<Result<Post>>([&](auto done) { session.Update(id, std::move(post), revision, done); });
  return result ? *result : tl::unexpected(TimedOut("Update"));
}

Result<Post> StoreContract::DeleteAndWait(StoreSession& session, int64_t id) {
  auto result = Await<Result<Post>>([&](auto done) { session.Delete(id, done); });
  return result ? *result : tl::unexpected(TimedOut("Delete"));
}

TEST_P(StoreContract, InsertedPostCanBeReadBack) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);

  const int64_t before_ms = RealClock().NowUnixMs();
  auto stored = InsertAndWait(*session, NewPost{"First", "Hello, world."});
  const int64_t after_ms = RealClock().NowUnixMs();
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_GT(stored->id, 0);
  EXPECT_GE(stored->created_unix_ms, before_ms);
  EXPECT_LE(stored->created_unix_ms, after_ms);
  EXPECT_EQ(stored->title, "First");
  EXPECT_EQ(stored->body, "Hello, world.");

  auto read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->id, stored->id);
  EXPECT_EQ((*read)->created_unix_ms, stored->created_unix_ms);
  EXPECT_EQ((*read)->title, "First");
  EXPECT_EQ((*read)->body, "Hello, world.");
}

TEST_P(StoreContract, ChangedTimeCoversEveryCommitAndNeverGoesBack) {
  const int64_t opened_ms = RealClock().NowUnixMs();
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  int64_t changed = store->ChangedUnixMs();
  EXPECT_GE(changed, opened_ms);  // at least the opening: nothing earlier is known
  for (int i = 0; i < 3; ++i) {
    auto stored = InsertAndWait(*session, NewPost{"post", std::to_string(i)});
    ASSERT_TRUE(stored) << stored.error().message;
    // The acknowledged post's change is covered, and the time never goes back.
    EXPECT_GE(store->ChangedUnixMs(), stored->created_unix_ms);
    EXPECT_GE(store->ChangedUnixMs(), changed);
    changed = store->ChangedUnixMs();
  }
}

TEST_P(StoreContract, StoresUnicodeMarkupAndSqlLiterally) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  const std::string title = "Grüße, 日本, 🌍 <b>bold</b> & \"quotes\"";
  const std::string body = "'); DROP TABLE posts; --\n<script>alert('x')</script>\t\\n $1 ?1";

  auto stored = InsertAndWait(*session, NewPost{title, body});
  ASSERT_TRUE(stored) << stored.error().message;
  auto read = GetAndWait(*session, stored->id);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->title, title);
  EXPECT_EQ((*read)->body, body);
  auto latest = LatestAndWait(*session, std::nullopt, 10);
  ASSERT_TRUE(latest) << latest.error().message;
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ(latest->front().title, title);
}

TEST_P(StoreContract, GetOfUnknownIdIsEmpty) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  ASSERT_TRUE(InsertAndWait(*session, NewPost{"t", "b"}));

  for (int64_t id : {int64_t{0}, int64_t{-1}, int64_t{999999}}) {
    auto read = GetAndWait(*session, id);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_FALSE(read->has_value()) << "id " << id;
  }
}

TEST_P(StoreContract, LatestIsNewestFirstWithinLimit) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto stored = InsertAndWait(*session, NewPost{"post " + std::to_string(i), "b"});
    ASSERT_TRUE(stored) << stored.error().message;
    ids.push_back(stored->id);
  }

  auto latest = LatestAndWait(*session, std::nullopt, 3);
  ASSERT_TRUE(latest) << latest.error().message;
  EXPECT_EQ(Ids(*latest), (std::vector<int64_t>{ids[4], ids[3], ids[2]}));
  EXPECT_EQ(latest->front().title, "post 4");

  auto all = LatestAndWait(*session, std::nullopt, 100);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), 5u);
  auto none = LatestAndWait(*session, std::nullopt, 0);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, LatestPagesBeforeAnId) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto stored = InsertAndWait(*session, NewPost{"p", "b"});
    ASSERT_TRUE(stored) << stored.error().message;
    ids.push_back(stored->id);
  }

  auto page = LatestAndWait(*session, ids[3], 2);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(Ids(*page), (std::vector<int64_t>{ids[2], ids[1]}));
  auto last_page = LatestAndWait(*session, ids[1], 10);
  ASSERT_TRUE(last_page) << last_page.error().message;
  EXPECT_EQ(Ids(*last_page), (std::vector<int64_t>{ids[0]}));
  auto beyond = LatestAndWait(*session, ids[0], 10);
  ASSERT_TRUE(beyond) << beyond.error().message;
  EXPECT_TRUE(beyond->empty());
}

TEST_P(StoreContract, LatestRejectsNegativeLimit) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);

  auto latest = LatestAndWait(*session, std::nullopt, -1);
  ASSERT_FALSE(latest);
  EXPECT_EQ(latest.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(latest.error().message.find("limit"), std::string::npos) << latest.error().message;
}

TEST_P(StoreContract, IdsAndTimestampsNeverDecrease) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);

  Post previous;
  for (int i = 0; i < 50; ++i) {
    auto stored = InsertAndWait(*session, NewPost{"p", "b"});
    ASSERT_TRUE(stored) << stored.error().message;
    EXPECT_GT(stored->id, previous.id);
    EXPECT_GE(stored->created_unix_ms, previous.created_unix_ms);
    previous = *stored;
  }
}

TEST_P(StoreContract, KeepsPostsAcrossReopen) {
  int64_t id = 0;
  {
    auto store = OpenTestStore();
    ASSERT_TRUE(store);
    auto session = OpenTestSession(*store, loop_);
    ASSERT_TRUE(session);
    auto stored = InsertAndWait(*session, NewPost{"kept", "across restarts"});
    ASSERT_TRUE(stored) << stored.error().message;
    id = stored->id;
  }
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);

  auto read = GetAndWait(*session, id);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->title, "kept");
  EXPECT_EQ((*read)->body, "across restarts");
  auto newer = InsertAndWait(*session, NewPost{"newer", "b"});
  ASSERT_TRUE(newer) << newer.error().message;
  EXPECT_GT(newer->id, id);
}

TEST_P(StoreContract, GenerationChangesBeforeInsertCompletes) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  const uint64_t before = store->Generation();

  auto generation_seen = Await<uint64_t>([&](auto report) {
    session->Insert(NewPost{"t", "b"}, [&, report](Result<Post>) { report(store->Generation()); });
  });
  ASSERT_TRUE(generation_seen.has_value());
  EXPECT_NE(*generation_seen, before);
}

TEST_P(StoreContract, CompletionsRunOnTheSessionsExecutor) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);

  auto on_loop = Await<bool>([&](auto report) {
    session->Insert(NewPost{"t", "b"},
                    [&, report](Result<Post>) { report(loop_.IsCurrentThread()); });
  });
  ASSERT_TRUE(on_loop.has_value());
  EXPECT_TRUE(*on_loop);
}

TEST_P(StoreContract, ConcurrentInsertsAreAllStoredInBatches) {
  constexpr int kThreads = 8;
  constexpr int kPostsPerThread = 500;
  // Declared first so they outlive the loops, the store and any late completion.
  CompletionCounter completed;
  std::mutex ids_mutex;
  std::set<int64_t> ids;
  std::atomic<int> failures{0};
  std::vector<std::unique_ptr<ThreadExecutor>> loops;
  for (int t = 0; t < kThreads; ++t) loops.push_back(std::make_unique<ThreadExecutor>());
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  std::vector<std::unique_ptr<StoreSession>> sessions;
  for (int t = 0; t < kThreads; ++t) {
    sessions.push_back(OpenTestSession(*store, *loops[static_cast<size_t>(t)]));
    ASSERT_TRUE(sessions.back());
  }

  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPostsPerThread; ++i) {
        sessions[static_cast<size_t>(t)]->Insert(
            NewPost{"thread " + std::to_string(t), std::to_string(i)}, [&](Result<Post> stored) {
              if (stored) {
                std::lock_guard lock(ids_mutex);
                ids.insert(stored->id);
              } else {
                failures.fetch_add(1);
              }
              completed.Add();
            });
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  ASSERT_TRUE(completed.WaitFor(kThreads * kPostsPerThread));

  EXPECT_EQ(failures.load(), 0);
  {
    std::lock_guard lock(ids_mutex);
    EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPostsPerThread));
  }
  auto all = LatestAndWait(*sessions[0], std::nullopt, 2 * kThreads * kPostsPerThread);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), static_cast<size_t>(kThreads * kPostsPerThread));

  const std::string metrics = MetricsText(*store);
  EXPECT_EQ(SampleValue(metrics, "fourdollar_posts_stored_total"), kThreads * kPostsPerThread);
  const double single_post_batches =
      SampleValue(metrics, "fourdollar_write_batch_size_bucket{le=\"1\"}");
  const double batches = SampleValue(metrics, "fourdollar_write_batch_size_count");
  EXPECT_GE(single_post_batches, 0) << metrics;
  EXPECT_LT(single_post_batches, batches) << "no batch held more than one post\n" << metrics;
  EXPECT_LT(batches, kThreads * kPostsPerThread) << metrics;
}

TEST_P(StoreContract, FullQueueRefusesWithUnavailable) {
  constexpr int kPosts = 5000;
  CompletionCounter completed;
  std::atomic<int> stored{0};
  std::atomic<int> unavailable{0};
  std::atomic<int> other_errors{0};
  std::atomic<bool> all_on_loop{true};
  auto store = OpenTestStore(/*max_queued_writes=*/2);
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);

  for (int i = 0; i < kPosts; ++i) {
    session->Insert(NewPost{"p", "b"}, [&](Result<Post> result) {
      if (!loop_.IsCurrentThread()) all_on_loop = false;
      if (result) {
        stored.fetch_add(1);
      } else if (result.error().code == ErrorCode::kUnavailable) {
        unavailable.fetch_add(1);
      } else {
        other_errors.fetch_add(1);
      }
      completed.Add();
    });
  }
  ASSERT_TRUE(completed.WaitFor(kPosts));

  EXPECT_GT(unavailable.load(), 0);
  EXPECT_GT(stored.load(), 0);
  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_TRUE(all_on_loop.load());
  auto all = LatestAndWait(*session, std::nullopt, 2 * kPosts);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), static_cast<size_t>(stored.load()));
}

TEST_P(StoreContract, ShutdownCommitsAndCompletesQueuedWrites) {
  constexpr int kPosts = 300;
  CompletionCounter completed;
  std::atomic<int> stored{0};
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);

  for (int i = 0; i < kPosts; ++i) {
    session->Insert(NewPost{"p", std::to_string(i)}, [&](Result<Post> result) {
      if (result) stored.fetch_add(1);
      completed.Add();
    });
  }
  store->Shutdown();

  ASSERT_TRUE(completed.WaitFor(kPosts));
  EXPECT_EQ(stored.load(), kPosts);
  auto all = LatestAndWait(*session, std::nullopt, 2 * kPosts);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), static_cast<size_t>(kPosts));
}

TEST_P(StoreContract, InsertAfterShutdownIsUnavailable) {
  auto store = OpenTestStore();
  ASSERT_TRUE(store);
  auto session = OpenTestSession(*store, loop_);
  ASSERT_TRUE(session);
  store->Shutdown();
  store->Shutdown();

  auto refused = InsertAndWait(*session, NewPost{"late", "b"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("shutting down"), std::string::npos)
      << refused.error().message;
}

}  // namespace fourdollar::store::testing
