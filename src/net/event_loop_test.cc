// The event loop's run and stop cycle.
#include "net/event_loop.h"

#include <gtest/gtest.h>

#include <thread>

namespace fourdollar::net {
namespace {

TEST(EventLoop, RunsAgainAfterStop) {
  auto loop = EventLoop::Create();
  ASSERT_TRUE(loop);
  int runs = 0;
  for (int i = 0; i < 3; ++i) {
    (*loop)->Post([&runs, &loop] {
      ++runs;
      (*loop)->Stop();
    });
    (*loop)->Run();
  }
  EXPECT_EQ(runs, 3);
}

TEST(EventLoop, StopFromAnotherThreadBeforeRunStopsThatRun) {
  auto loop = EventLoop::Create();
  ASSERT_TRUE(loop);
  bool ran = false;
  (*loop)->Post([&ran] { ran = true; });
  std::thread([&loop] { (*loop)->Stop(); }).join();
  (*loop)->Run();  // returns: the stop was requested before it started
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace fourdollar::net
