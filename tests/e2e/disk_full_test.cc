// The SQLite database on a small filesystem that fills up: writes are answered 507 with a reason
// and store nothing, reads go on, every acknowledged post stays, and writes succeed again as
// soon as space returns, without a restart.
//
// The test thread moves to a mount namespace of its own and mounts a 16 MiB tmpfs over the data
// folder (full_disk.h); the server it starts shares that namespace. Needs the right to mount
// (root, as in CI); otherwise the test skips, saying so.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/disk_full_fixture.h"
#include "e2e/full_disk.h"
#include "e2e/sqlite_file.h"

namespace fourdollar::e2e {
namespace {

constexpr const char* kToken = "disk-full-test-token";

class DiskFull : public DiskFullTest {
 protected:
  void SetUp() override {
    token_ = kToken;
    // A mount namespace of this thread's own (and so of the server it starts), where the mount
    // is invisible to the rest of the machine and ends with the process.
    Status mounted = MountPrivateTmpfs(dir_.path(), "16m");
    if (!mounted) GTEST_SKIP() << mounted.error().message;
    mounted_ = true;
    auto started = ServerProcess::Start(
        dir_.path(), ServerOptions{.args = {"--write-token", kToken, "--threads", "2"}});
    ASSERT_TRUE(started.has_value()) << started.error().message;
    server_ = std::move(*started);
  }

  void TearDown() override {
    server_.reset();
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }

  TempDir dir_;
  bool mounted_ = false;
};

TEST_F(DiskFull, WritesGet507ReadsGoOnAndWritesResumeWhenSpaceReturns) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(PostAndRecord(RandomPost("before full " + std::to_string(i), i)));
  }
  auto filled = FillUp(dir_.path() / "filler");
  ASSERT_TRUE(filled.has_value()) << filled.error().message;
  ASSERT_GT(*filled, 0u);

  // The WAL may still have room it wrote before; big posts use it up.
  ASSERT_NO_FATAL_FAILURE(ExpectDiskFullAnswer(PostUntilRefused(400)));
  ASSERT_NO_FATAL_FAILURE(PostWhileFull(5));
  ASSERT_NO_FATAL_FAILURE(ExpectReadsGoOn());

  ASSERT_EQ(::unlink((dir_.path() / "filler").c_str()), 0) << std::strerror(errno);
  ASSERT_NO_FATAL_FAILURE(ExpectWritesResume());

  auto contents = ReadSqliteFile((dir_.path() / "blog.db").string());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  EXPECT_EQ(contents->integrity, "ok");
  std::vector<std::string> problems = CheckPostsInFile(*contents, acknowledged_);
  EXPECT_TRUE(problems.empty()) << problems.front();
  // Nothing refused was stored.
  for (const auto& [id, row] : contents->posts) {
    EXPECT_EQ(std::find(refused_.begin(), refused_.end(), row.title), refused_.end())
        << "refused post stored as /" << id << ": " << row.title;
  }
  auto code = server_->Stop();
  ASSERT_TRUE(code.has_value()) << code.error().message;
  EXPECT_EQ(*code, 0) << server_->StderrText();
}

TEST_F(DiskFull, StartingOnAFullDiskFailsSayingSoAndStartsOnceSpaceReturns) {
  ASSERT_TRUE(PostAndRecord(RandomPost("before the restart", 1)));
  auto code = server_->Stop();
  ASSERT_TRUE(code.has_value()) << code.error().message;
  ASSERT_EQ(*code, 0) << server_->StderrText();
  server_.reset();
  auto filled = FillUp(dir_.path() / "filler");
  ASSERT_TRUE(filled.has_value()) << filled.error().message;

  const ServerOptions options{.args = {"--write-token", kToken, "--threads", "2"}};
  auto refused = RunToExit(dir_.path(), options);
  ASSERT_TRUE(refused.has_value()) << refused.error().message;
  EXPECT_EQ(refused->exit_code, 2);
  EXPECT_NE(refused->stderr_text.find("blog.db"), std::string::npos) << refused->stderr_text;
  EXPECT_NE(refused->stderr_text.find("disk full"), std::string::npos) << refused->stderr_text;

  ASSERT_EQ(::unlink((dir_.path() / "filler").c_str()), 0) << std::strerror(errno);
  auto started = ServerProcess::Start(dir_.path(), options);
  ASSERT_TRUE(started.has_value()) << started.error().message;
  server_ = std::move(*started);
  std::vector<std::string> problems =
      CheckPostPages(server_->host(), server_->port(), acknowledged_);
  EXPECT_TRUE(problems.empty()) << problems.front();
}

}  // namespace
}  // namespace fourdollar::e2e
