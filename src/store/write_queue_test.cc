// The write queue's group commit: the writer awaits the last batch's count before taking one;
// the top-up takes what is queued at once when enough is there,
// waits for a post submitted meanwhile, gives up after its wait, and keeps to max_batch; the
// gathering of independent writes keeps taking them while they come, within its window, and
// stops while they do not come (writers that each wait for their answer); while they come, a
// lull within its window does not end it.
#include "store/write_queue.h"

#include <gtest/gtest.h>

#include <chrono>
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

  // A post queued about 1 ms after the last (a mean gap the writer gathers for, below
  // kGatherNs), taken alone; `then_one_more` queues another 1 ms later, which the batch's
  // gather can take. Returns the batch after Fill, with whatever Fill left queued (a host that
  // stalled the test past the gather's window).
  std::vector<PendingWrite> FillAfterGaps(bool then_one_more) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    Submit("taken");
    std::vector<PendingWrite> batch;
    EXPECT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
    if (then_one_more) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      Submit("gathered");
    }
    queue_.Fill(batch, 1);
    if (std::vector<PendingWrite> rest; queue_.TakeBatch(rest, 0) == WriteQueue::Take::kTaken) {
      for (PendingWrite& write : rest) batch.push_back(std::move(write));
    }
    return batch;
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

TEST_F(WriteQueueTopUp, AwaitReturnsOnceTheLastBatchsCountIsQueued) {
  // Three posts from another thread, the last after a pause: Await(3) returns when the third is
  // queued, well before its hour, and leaves all three for TakeBatch.
  std::thread submitter([this] {
    Submit("first");
    Submit("second");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Submit("third");
  });
  queue_.Await(3, 3'600'000'000);
  submitter.join();
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[2].request.post.title, "third");
}

TEST_F(WriteQueueTopUp, AwaitGivesUpAfterItsWaitAndLeavesWhatCame) {
  Submit("only");
  queue_.Await(2, 1000);  // two awaited, one comes: 1 ms later it returns
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].request.post.title, "only");
}

TEST_F(WriteQueueTopUp, AwaitReturnsAtOnceForOnePostOrWhenStopped) {
  // Nothing is queued and the waits are an hour: each returns at once or the test times out.
  queue_.Await(1, 3'600'000'000);
  queue_.Stop();
  queue_.Await(3, 3'600'000'000);
  std::vector<PendingWrite> batch;
  EXPECT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kStopped);
}

TEST_F(WriteQueueTopUp, MeasuresTheMeanGapBetweenSubmissionsFromTheSecondOn) {
  EXPECT_EQ(queue_.MeanGapNs(), 0);
  Submit("first");
  EXPECT_EQ(queue_.MeanGapNs(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  Submit("second");
  // One gap so far: the mean is that gap, at least the 2 ms slept.
  EXPECT_GE(queue_.MeanGapNs(), 2'000'000);
  EXPECT_LE(queue_.MeanGapNs(), WriteQueue::kGapCeilingNs);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Submit("third");
  // A pause of 200 ms counts as the 10 ms ceiling (else the mean would be about 27 ms), so the
  // mean soon follows a steady stream again.
  EXPECT_LE(queue_.MeanGapNs(), WriteQueue::kGapCeilingNs);
}

TEST_F(WriteQueueTopUp, GatherKeepsTakingWritesThatComeWithinTheGap) {
  Submit("first");
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  // Two more come one after the other; the window and the gap (an hour) never run out, so
  // it returns because the batch is full (max_batch 3), having waited for each.
  std::thread submitter([this] {
    Submit("second");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Submit("third");
  });
  EXPECT_EQ(queue_.Gather(batch, 3'600'000'000'000, 3'600'000'000'000),
            WriteQueue::Gathered::kSome);
  submitter.join();
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[1].request.post.title, "second");
  EXPECT_EQ(batch[2].request.post.title, "third");
}

TEST_F(WriteQueueTopUp, GatherStopsWhenNoWriteComesWithinTheGap) {
  Submit("alone");
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  // The window is an hour, but no write comes within 300 ms of the last: it commits what it
  // has. (The gap is long so that a slow host, or a sanitizer, cannot spend it before the
  // wait begins: Gather would then not wait at all and say kOver.)
  EXPECT_EQ(queue_.Gather(batch, 3'600'000'000'000, 300'000'000), WriteQueue::Gathered::kNone);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].request.post.title, "alone");
}

TEST_F(WriteQueueTopUp, GatherDoesNotWaitPastTheWindowOfTheFirstWrite) {
  Submit("old");
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  // The first write was queued more than 1 ms ago: its window is over, so no wait at all
  // (the gap of an hour would fail the test's time limit), and a later write is left queued.
  EXPECT_EQ(queue_.Gather(batch, 1'000'000, 3'600'000'000'000), WriteQueue::Gathered::kOver);
  Submit("later");
  ASSERT_EQ(batch.size(), 1u);
  std::vector<PendingWrite> rest;
  ASSERT_EQ(queue_.TakeBatch(rest, 0), WriteQueue::Take::kTaken);
  EXPECT_EQ(rest[0].request.post.title, "later");
}

TEST_F(WriteQueueTopUp, GatherReturnsAtOnceWhenStopped) {
  Submit("last");
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue_.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  queue_.Stop();
  EXPECT_EQ(queue_.Gather(batch, 3'600'000'000'000, 3'600'000'000'000),
            WriteQueue::Gathered::kOver);
  EXPECT_EQ(batch.size(), 1u);
}

TEST_F(WriteQueueTopUp, FillGathersOnlyWhilePostsKeepComing) {
  ASSERT_TRUE(queue_.gathering());
  // Writers that each wait for their answer: nothing comes while the batch waits. A gather
  // that found nothing counts a quarter, so three of them stop the gathering. (A gather the
  // host delayed past its window does not count: hence a bound rather than exactly three.)
  int batches = 0;
  while (queue_.gathering() && batches < 100) {
    EXPECT_EQ(FillAfterGaps(false).size(), 1u);
    ++batches;
  }
  ASSERT_FALSE(queue_.gathering()) << "still gathering after " << batches << " batches";
  EXPECT_GE(batches, 3);
  // Posts that come on their own again: the next probe (at most kGatherProbeEvery batches
  // away) finds one, and the writer gathers at every batch again.
  batches = 0;
  while (!queue_.gathering() && batches < 4 * WriteQueue::kGatherProbeEvery) {
    EXPECT_EQ(FillAfterGaps(true).size(), 2u);
    ++batches;
  }
  EXPECT_TRUE(queue_.gathering()) << "not gathering again after " << batches << " batches";
}

TEST(WriteQueueGathering, ALullWithinTheWindowDoesNotEndAGatherWhilePostsComeOnTheirOwn) {
  NoLoop loop;
  WriteMetrics metrics;
  // An hour's window: only a full batch ends this gather.
  WriteQueue queue({.max_queued_writes = 16, .max_batch = 3, .gather_window_ns = 3'600'000'000'000},
                   metrics);
  auto submit = [&](const std::string& title) {
    WriteRequest request{WriteRequest::Kind::kInsert, 0, std::nullopt, NewPost{title, "body"}};
    queue.Submit(std::move(request), loop, [](Result<Post>) {});
  };
  // Posts about 100 µs apart, taken and committed: the mean gap is a fraction of a millisecond.
  for (int i = 0; i < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    submit("earlier");
  }
  for (std::vector<PendingWrite> earlier;
       queue.TakeBatch(earlier, 0) == WriteQueue::Take::kTaken;) {
    earlier.clear();
  }
  ASSERT_TRUE(queue.gathering());
  submit("first");
  std::vector<PendingWrite> batch;
  ASSERT_EQ(queue.TakeBatch(batch, 0), WriteQueue::Take::kTaken);
  // The next two come after a lull of many mean gaps: the gather still takes them.
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    submit("after the lull");
    submit("last");
  });
  queue.Fill(batch, 1);
  later.join();
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[1].request.post.title, "after the lull");
  EXPECT_EQ(batch[2].request.post.title, "last");
}

TEST(WriteQueueGathering, RefusesANegativeWindow) {
  EXPECT_FALSE(
      WriteQueue::CheckLimits({.max_queued_writes = 1, .max_batch = 1, .gather_window_ns = -1}));
  EXPECT_TRUE(WriteQueue::CheckLimits({.max_queued_writes = 1, .max_batch = 1}));
}

}  // namespace
}  // namespace fourdollar::store
