// The SQLite database on a small filesystem that fills up: writes are answered 507 with a reason
// and store nothing, reads go on, every acknowledged post stays, and writes succeed again as
// soon as space returns, without a restart.
//
// The test thread moves to a mount namespace of its own (unshare(CLONE_NEWNS)) and mounts a
// 16 MiB tmpfs over the data folder; the server it starts shares that namespace. Needs the right
// to mount (root, as in CI); otherwise the test skips, saying so.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "e2e/acknowledged_writers.h"
#include "e2e/blog_pages.h"
#include "e2e/http_client.h"
#include "e2e/server_process.h"
#include "e2e/sqlite_file.h"

namespace fourdollar::e2e {
namespace {

constexpr const char* kToken = "disk-full-test-token";
// Bodies just under the 100000-byte limit make the WAL grow quickly.
constexpr size_t kBigBodyBytes = 99000;

// Writes zeros to `path` until the filesystem refuses with ENOSPC; returns the bytes written.
Result<size_t> FillUp(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("open " + path.string(), errno);
  const std::string chunk(64 * 1024, '\0');
  size_t written = 0;
  // Big chunks first, then single pages for the last partial chunk.
  for (size_t size : {chunk.size(), size_t{4096}}) {
    for (;;) {
      ssize_t n = ::write(fd.get(), chunk.data(), size);
      if (n > 0) {
        written += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != ENOSPC) return ErrnoError("write " + path.string(), errno);
      break;
    }
  }
  return written;
}

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    // A mount namespace of this thread's own (and so of the server it starts), where the mount
    // below is invisible to the rest of the machine and ends with the process.
    if (::unshare(CLONE_NEWNS) != 0) {
      GTEST_SKIP() << "cannot make a private mount namespace (needs root or CAP_SYS_ADMIN): "
                   << std::strerror(errno);
    }
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      GTEST_SKIP() << "cannot make the mounts private: " << std::strerror(errno);
    }
    if (::mount("fourdollar-disk-full", dir_.path().c_str(), "tmpfs", 0, "size=16m,mode=0700") !=
        0) {
      GTEST_SKIP() << "cannot mount a 16 MiB tmpfs: " << std::strerror(errno);
    }
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

  HttpResponse Post(const AcknowledgedPost& post) {
    auto response = Fetch(server_->host(), server_->port(), "POST", "/", JsonHeaders(kToken),
                          PostJson(post.title, post.body));
    if (!response) {
      ADD_FAILURE() << "POST '" << post.title << "': " << response.error().message << "\n"
                    << server_->StderrText();
      return {};
    }
    return *response;
  }

  // Records `post` as acknowledged with the id its 303 `response` named.
  void Record(AcknowledgedPost post, const HttpResponse& response) {
    std::optional<int64_t> id = ParseStoredId(response.body);
    EXPECT_TRUE(id.has_value()) << response.body;
    post.id = id.value_or(0);
    acknowledged_.push_back(std::move(post));
  }

  // Posts `post`; on 303 records it as acknowledged with its id and returns true.
  bool PostAndRecord(AcknowledgedPost post) {
    HttpResponse response = Post(post);
    if (response.status != 303) return false;
    Record(std::move(post), response);
    return true;
  }

  TempDir dir_;
  bool mounted_ = false;
  std::unique_ptr<ServerProcess> server_;
  std::vector<AcknowledgedPost> acknowledged_;
};

TEST_F(DiskFull, WritesGet507ReadsGoOnAndWritesResumeWhenSpaceReturns) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(PostAndRecord(RandomPost("before full " + std::to_string(i), i)));
  }
  auto filled = FillUp(dir_.path() / "filler");
  ASSERT_TRUE(filled.has_value()) << filled.error().message;
  ASSERT_GT(*filled, 0u);

  // The WAL may still have room it wrote before; big posts use it up.
  std::vector<std::string> refused;
  HttpResponse full;
  for (int i = 0; i < 400 && full.status == 0; ++i) {
    AcknowledgedPost post = RandomPost("while full " + std::to_string(i), 1000 + i);
    post.body = std::string(kBigBodyBytes, static_cast<char>('a' + i % 26));
    HttpResponse response = Post(post);
    if (response.status == 303) {
      Record(std::move(post), response);
      continue;
    }
    ASSERT_EQ(response.status, 507) << response.body << "\n" << server_->StderrText();
    full = response;
    refused.push_back(post.title);
  }
  ASSERT_EQ(full.status, 507) << "no post was refused on a full disk";
  EXPECT_EQ(full.reason, "Insufficient Storage");
  EXPECT_NE(full.body.find("out of space"), std::string::npos) << full.body;

  // Still full: every further post is refused or (when it fits) stored, never anything else.
  for (int i = 0; i < 5; ++i) {
    AcknowledgedPost post = RandomPost("still full " + std::to_string(i), 2000 + i);
    post.body = std::string(kBigBodyBytes, 'z');
    HttpResponse response = Post(post);
    if (response.status == 507) {
      refused.push_back(post.title);
    } else {
      ASSERT_EQ(response.status, 303) << response.body;
      Record(std::move(post), response);
    }
  }

  // Reads go on while the disk is full.
  auto list = Fetch(server_->host(), server_->port(), "GET", "/");
  ASSERT_TRUE(list.has_value()) << list.error().message;
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(ParseListLinks(list->body).size(), 10u);
  std::vector<std::string> problems =
      CheckPostPages(server_->host(), server_->port(), acknowledged_);
  EXPECT_TRUE(problems.empty()) << problems.front();
  auto metrics = Fetch(server_->host(), server_->port(), "GET", "/metrics");
  ASSERT_TRUE(metrics.has_value()) << metrics.error().message;
  EXPECT_NE(metrics->body.find("fourdollar_write_disk_full_total "), std::string::npos);
  EXPECT_EQ(metrics->body.find("fourdollar_write_disk_full_total 0\n"), std::string::npos)
      << metrics->body;

  // Space returns: the very next writes succeed, big and small, on the same process.
  ASSERT_EQ(::unlink((dir_.path() / "filler").c_str()), 0) << std::strerror(errno);
  ASSERT_TRUE(PostAndRecord(RandomPost("after full small", 3000)));
  AcknowledgedPost big = RandomPost("after full big", 3001);
  big.body = std::string(kBigBodyBytes, 'b');
  ASSERT_TRUE(PostAndRecord(big));

  problems = CheckPostPages(server_->host(), server_->port(), acknowledged_);
  EXPECT_TRUE(problems.empty()) << problems.front();
  auto contents = ReadSqliteFile((dir_.path() / "blog.db").string());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  EXPECT_EQ(contents->integrity, "ok");
  problems = CheckPostsInFile(*contents, acknowledged_);
  EXPECT_TRUE(problems.empty()) << problems.front();
  // Nothing refused was stored.
  for (const auto& [id, row] : contents->posts) {
    EXPECT_EQ(std::find(refused.begin(), refused.end(), row.title), refused.end())
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
