#include "base/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace fourdollar {
namespace {

// The name the kernel shows for the calling thread.
std::string ShownName() {
  std::ifstream comm("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST(ThreadName, ShowsTheNameAndCutsALongOneTo15Bytes) {
  std::string short_name;
  std::string long_name;
  std::thread([&] {
    NameThisThread("sqlite-writer");
    short_name = ShownName();
    NameThisThread("a-name-longer-than-fifteen");
    long_name = ShownName();
  }).join();
  EXPECT_EQ(short_name, "sqlite-writer");
  EXPECT_EQ(long_name, "a-name-longer-t");
}

}  // namespace
}  // namespace fourdollar
