#include "bench/startup_line.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

TEST(StartupLine, ReadsUrlAndTokenFile) {
  auto line = ParseStartupLine(
      "fourdollar: listening on http://127.0.0.1:41234 | store sqlite:/tmp/x/blog.db | threads 1 "
      "| write token in /tmp/x/write-token");
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(line->url, "http://127.0.0.1:41234");
  EXPECT_EQ(line->token_file, "/tmp/x/write-token");
  EXPECT_FALSE(line->open_writes);
}

TEST(StartupLine, ReadsOpenWrites) {
  auto line = ParseStartupLine(
      "fourdollar: listening on http://127.0.0.1:8080 | store sqlite:b.db | threads 2 | open "
      "writes: anyone can post (--open-writes)");
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_TRUE(line->open_writes);
  EXPECT_FALSE(line->token_file);
}

TEST(StartupLine, RefusesOtherLines) {
  auto line = ParseStartupLine("fourdollar: --db: cannot open");
  ASSERT_FALSE(line);
  EXPECT_NE(line.error().message.find("cannot open"), std::string::npos);
}

TEST(StartupLine, RefusesUrlWithoutPort) {
  EXPECT_FALSE(
      ParseStartupLine("fourdollar: listening on http://127.0.0.1 | store s | threads "
                       "1 | write token in /t"));
}

}  // namespace
}  // namespace fourdollar::bench
