// The write queue's group-commit top-up: it takes what is queued at once when enough is there,
// waits for a post submitted meanwhile, gives up after its wait, and keeps to max_batch.
#include "store/write_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace fourdollar::store {
namespace {

// Completions are posted only for refused posts, which these tests do not make.
class NoLoop final : public Executor {
 public:
  void Post(std::function<void()>) override { ADD_FAILURE() << "a post was refused"; }
};

class WriteQueueTopUp : public ::testing::Test {
 protected:
  void Submit(const std::string& title) {
    WriteRequest request{WriteRequest::Kind::kInsert, 0, std::nullopt, NewPost{title, "body"}};
    queue_.Submit(std::move(request), loop_, [](Result<Post>) {});
  }

  NoLoop loop_;
  WriteMetrics metrics_;
  WriteQueue queue_{{.max_queued_writes = 16, .max_batch = 3}, metrics_};
};

TEST_F(WriteQueueTopUp, TakesWhatIsQueuedAtOnceUpToTheBatchLimit) {
  for (int i = 0; i < 5; ++i) Submit("post " + std::to_string(i));
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  ASSERT_EQ(batch.size(), 3u);
  batch.pop_back();
  // Two are queued, one is wanted: no wait (an hour would fail the test's time limit).
  queue_.TopUp(batch, 1, 3'600'000'000);
  ASSERT_EQ(batch.size(), 3u);  // one more, up to max_batch
  EXPECT_EQ(batch[2].request.post.title, "post 3");
  std::vector<PendingWrite> rest;
  ASSERT_EQ(queue_.TakeBatch(rest, 0), WriteQueue::Take::kTaken);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].request.post.title, "post 4");
}

TEST_F(WriteQueueTopUp, WaitsForAPostSubmittedMeanwhile) {
  std::vector<PendingWrite> batch;
  std::thread submitter([this] { Submit("late"); });
  // Returns when the post arrives, well before the hour.
  queue_.TopUp(batch, 1, 3'600'000'000);
  submitter.join();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].request.post.title, "late");
}

TEST_F(WriteQueueTopUp, GivesUpAfterItsWaitWithWhatIsThere) {
  Submit("only");
  std::vector<PendingWrite> batch;
  queue_.TopUp(batch, 2, 1000);  // two wanted, one comes: 1 ms later it takes that one
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].request.post.title, "only");
}

TEST_F(WriteQueueTopUp, ReturnsAtOnceWhenStopped) {
  queue_.Stop();
  std::vector<PendingWrite> batch;
  queue_.TopUp(batch, 1, 3'600'000'000);
  EXPECT_TRUE(batch.empty());
}

}  // namespace
}  // namespace fourdollar::store
