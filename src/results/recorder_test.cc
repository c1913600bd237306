#include "results/recorder.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace fourdollar::results {
namespace {

constexpr int64_t kStartUs = 1'700'000'000'000'000;

RequestSample Sample(uint32_t name, int64_t start_offset_us, int64_t duration_us, int status,
                     FailureKind failure = FailureKind::kNone) {
  return RequestSample{.name_index = name,
                       .start_unix_us = kStartUs + start_offset_us,
                       .duration_us = duration_us,
                       .status = status,
                       .failure = failure,
                       .bytes_sent = 100,
                       .bytes_received = 1000};
}

TEST(Recorder, NamesFailureKinds) {
  EXPECT_STREQ(FailureKindName(FailureKind::kNone), "none");
  EXPECT_STREQ(FailureKindName(FailureKind::kConnect), "connect");
  EXPECT_STREQ(FailureKindName(FailureKind::kTimeout), "timeout");
  EXPECT_STREQ(FailureKindName(FailureKind::kReset), "reset");
  EXPECT_STREQ(FailureKindName(FailureKind::kParse), "parse");
  EXPECT_STREQ(FailureKindName(FailureKind::kStatus), "status");
  EXPECT_STREQ(FailureKindName(FailureKind::kCheck), "check");
}

TEST(Recorder, CountsARequestInTheSecondItCompleted) {
  Recorder recorder(kStartUs);
  recorder.Record(Sample(0, 900'000, 200'000, 200));  // 0.9 s + 0.2 s: second 1
  recorder.Record(Sample(0, 100'000, 1'000, 200));    // second 0
  auto seconds = recorder.TakeBefore(INT64_MAX);
  ASSERT_EQ(seconds.size(), 2u);
  EXPECT_EQ(seconds[0].second, 0);
  EXPECT_EQ(seconds[0].names.at(0).requests, 1u);
  EXPECT_EQ(seconds[0].names.at(0).duration.max_us(), 1'000);
  EXPECT_EQ(seconds[1].second, 1);
  EXPECT_EQ(seconds[1].names.at(0).duration.max_us(), 200'000);
}

// A run stopped during its lead-in sets its load before the start: second 0, never second -1.
TEST(Recorder, BookkeepingBeforeTheStartBelongsToSecondZero) {
  Recorder recorder(kStartUs);
  recorder.SetLoad(kStartUs - 30'000, 0, 0);
  auto seconds = recorder.TakeBefore(INT64_MAX);
  ASSERT_EQ(seconds.size(), 1u);
  EXPECT_EQ(seconds[0].second, 0);
}

TEST(Recorder, SplitsFiguresByNameStatusAndFailure) {
  Recorder recorder(kStartUs);
  recorder.Record(Sample(0, 0, 10, 200));
  recorder.Record(Sample(1, 0, 10, 500, FailureKind::kStatus));
  recorder.Record(Sample(1, 0, 10, 0, FailureKind::kTimeout));
  auto seconds = recorder.TakeBefore(1);
  ASSERT_EQ(seconds.size(), 1u);
  const NameSecond& first = seconds[0].names.at(0);
  const NameSecond& second = seconds[0].names.at(1);
  EXPECT_EQ(first.requests, 1u);
  EXPECT_EQ(first.failed(), 0u);
  EXPECT_EQ(second.requests, 2u);
  EXPECT_EQ(second.failed(), 2u);
  EXPECT_EQ(second.failures[static_cast<size_t>(FailureKind::kStatus)], 1u);
  EXPECT_EQ(second.failures[static_cast<size_t>(FailureKind::kTimeout)], 1u);
  EXPECT_EQ(second.by_status.size(), 1u);  // no response: no status
  EXPECT_EQ(second.by_status.at(500), 1u);
  EXPECT_EQ(second.bytes_sent, 200u);
  EXPECT_EQ(second.bytes_received, 2000u);
}

TEST(Recorder, CountsIterationsDropsChecksAndLoadPerSecond) {
  Recorder recorder(kStartUs);
  recorder.CountIteration(kStartUs + 10);
  recorder.CountIteration(kStartUs + 1'500'000);
  recorder.CountDropped(kStartUs + 1'600'000);
  recorder.CountCheck(kStartUs + 1'700'000, true);
  recorder.CountCheck(kStartUs + 1'700'000, false);
  recorder.SetLoad(kStartUs + 1'000'000, 3, 50);
  recorder.SetLoad(kStartUs + 1'999'999, 4, 60);
  auto seconds = recorder.TakeBefore(INT64_MAX);
  ASSERT_EQ(seconds.size(), 2u);
  EXPECT_EQ(seconds[0].iterations, 1u);
  EXPECT_EQ(seconds[1].iterations, 1u);
  EXPECT_EQ(seconds[1].dropped_iterations, 1u);
  EXPECT_EQ(seconds[1].checks_passed, 1u);
  EXPECT_EQ(seconds[1].checks_failed, 1u);
  EXPECT_EQ(seconds[1].active_vus, 4);
  EXPECT_EQ(seconds[1].offered_rate, 60);
}

TEST(Recorder, TakeBeforeMovesOutOnlyFinishedSeconds) {
  Recorder recorder(kStartUs);
  for (int s = 0; s < 5; ++s) recorder.CountIteration(kStartUs + s * 1'000'000);
  auto first = recorder.TakeBefore(3);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[2].second, 2);
  EXPECT_TRUE(recorder.TakeBefore(3).empty());
  recorder.CountIteration(kStartUs + 4'500'000);  // into the still open second 4
  auto rest = recorder.TakeBefore(INT64_MAX);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].second, 3);
  EXPECT_EQ(rest[1].second, 4);
  EXPECT_EQ(rest[1].iterations, 2u);
}

TEST(Recorder, RecordsAgainIntoASecondAlreadyTaken) {
  Recorder recorder(kStartUs);
  recorder.CountIteration(kStartUs);
  ASSERT_EQ(recorder.TakeBefore(1).size(), 1u);
  recorder.CountIteration(kStartUs + 1);  // late event: a fresh second 0, merged later
  auto late = recorder.TakeBefore(1);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].iterations, 1u);
}

TEST(SecondData, MergeAddsFiguresAndLoad) {
  Recorder a(kStartUs);
  Recorder b(kStartUs);
  Recorder whole(kStartUs);
  for (int i = 0; i < 10; ++i) {
    const auto sample = Sample(i % 2, i * 1000, 100 + i * 37, i % 3 ? 200 : 404);
    (i % 2 ? a : b).Record(sample);
    whole.Record(sample);
  }
  a.SetLoad(kStartUs, 2, 5);
  b.SetLoad(kStartUs, 3, 7);
  whole.SetLoad(kStartUs, 5, 12);
  SecondData merged = a.TakeBefore(1).at(0);
  merged.Merge(b.TakeBefore(1).at(0));
  EXPECT_EQ(merged, whole.TakeBefore(1).at(0));
}

}  // namespace
}  // namespace fourdollar::results
