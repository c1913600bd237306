// The PostgreSQL database on a small filesystem that fills up: writes are answered 507 with a
// reason (SQLSTATE 53100, disk_full) and store nothing, reads go on, every acknowledged post
// stays, and writes succeed again as soon as space returns, without a restart.
//
// A private cluster whose blog database lives in a tablespace on a 32 MiB tmpfs, mounted in a
// mount namespace of the test thread's own (full_disk.h) before the cluster starts, so that the
// cluster sees it and the rest of the machine does not. The write-ahead log stays on the
// cluster's own disk: PostgreSQL stops altogether when the WAL cannot be written, which is a
// crash, not a full database. Needs root (to mount, and the cluster runs as "postgres") and
// FOURDOLLAR_TEST_PG_SCRIPT; otherwise the test skips, saying why.
#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/disk_full_fixture.h"
#include "e2e/full_disk.h"
#include "e2e/postgres_cluster.h"
#include "e2e/run_command.h"

namespace fourdollar::e2e {
namespace {

class PostgresDiskFull : public DiskFullTest {
 protected:
  void SetUp() override {
    token_ = kTestToken;
    std::optional<std::string> script = Env("FOURDOLLAR_TEST_PG_SCRIPT");
    if (!script) GTEST_SKIP() << kNoClusterScript;
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: to mount a tmpfs, for a cluster of postgres";
    const passwd* owner = ::getpwnam("postgres");
    if (owner == nullptr) GTEST_SKIP() << "no user postgres (Debian's postgresql makes it)";
    Status mounted = MountPrivateTmpfs(
        space_.path(), "32m",
        "uid=" + std::to_string(owner->pw_uid) + ",gid=" + std::to_string(owner->pw_gid));
    if (!mounted) GTEST_SKIP() << mounted.error().message;
    mounted_ = true;
    tablespace_ = (space_.path() / "tablespace").string();
    ASSERT_EQ(::mkdir(tablespace_.c_str(), 0700), 0) << std::strerror(errno);
    ASSERT_EQ(::chown(tablespace_.c_str(), owner->pw_uid, owner->pw_gid), 0)
        << std::strerror(errno);

    cluster_ = std::make_unique<PrivateCluster>(*script);
    auto admin = cluster_->Start();
    ASSERT_TRUE(admin.has_value()) << admin.error().message;
    admin_url_ = *admin;
    auto url = CreateDatabase(admin_url_);
    ASSERT_TRUE(url.has_value()) << url.error().message;
    db_url_ = *url;
    const std::string db = db_url_.substr(db_url_.rfind('/') + 1);
    // Two commands: neither may run inside a transaction, which one psql -c would make.
    auto created = Psql(admin_url_, "CREATE TABLESPACE small LOCATION '" + tablespace_ + "'");
    ASSERT_TRUE(created.has_value()) << created.error().message;
    auto moved = Psql(admin_url_, "ALTER DATABASE " + db + " SET TABLESPACE small");
    ASSERT_TRUE(moved.has_value()) << moved.error().message;

    auto started = ServerProcess::Start(data_dir_.path(), PostgresServer(db_url_));
    ASSERT_TRUE(started.has_value()) << started.error().message;
    server_ = std::move(*started);
  }

  void TearDown() override {
    server_.reset();
    cluster_.reset();
    if (mounted_) ::umount2(space_.path().c_str(), MNT_DETACH);
  }

  // Runs `sql` with psql on `url`; what it printed, unaligned, tuples only.
  static Result<std::string> Psql(const std::string& url, const std::string& sql) {
    return RunCommand("psql -X -q -A -t -v ON_ERROR_STOP=1 -d '" + url + "' -c \"" + sql + "\"");
  }

  TempDir space_;
  TempDir data_dir_;
  bool mounted_ = false;
  std::string tablespace_;
  std::unique_ptr<PrivateCluster> cluster_;
  std::string admin_url_;
  std::string db_url_;
};

TEST_F(PostgresDiskFull, WritesGet507ReadsGoOnAndWritesResumeWhenSpaceReturns) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(PostAndRecord(RandomPost("before full " + std::to_string(i), i)));
  }
  auto filled = FillUp(space_.path() / "filler");
  ASSERT_TRUE(filled.has_value()) << filled.error().message;
  ASSERT_GT(*filled, 0u);

  // The table's last pages may still have room; big posts use it up.
  HttpResponse full = PostUntilRefused(400);
  ASSERT_NO_FATAL_FAILURE(ExpectDiskFullAnswer(full));
  ASSERT_NO_FATAL_FAILURE(PostWhileFull(5));
  ASSERT_NO_FATAL_FAILURE(ExpectReadsGoOn());

  ASSERT_EQ(::unlink((space_.path() / "filler").c_str()), 0) << std::strerror(errno);
  ASSERT_NO_FATAL_FAILURE(ExpectWritesResume());
  ExpectEachListedOnce(*server_, acknowledged_);

  // In the database: every acknowledged post, and nothing refused.
  auto titles = Psql(db_url_, "SELECT title FROM posts");
  ASSERT_TRUE(titles.has_value()) << titles.error().message;
  std::vector<std::string> stored;
  std::istringstream lines(*titles);
  for (std::string line; std::getline(lines, line);) stored.push_back(line);
  for (const AcknowledgedPost& post : acknowledged_) {
    EXPECT_NE(std::find(stored.begin(), stored.end(), post.title), stored.end())
        << "acknowledged post missing from the database: " << post.title;
  }
  for (const std::string& title : refused_) {
    EXPECT_EQ(std::find(stored.begin(), stored.end(), title), stored.end())
        << "refused post stored: " << title;
  }
  auto code = server_->Stop();
  ASSERT_TRUE(code.has_value()) << code.error().message;
  EXPECT_EQ(*code, 0) << server_->StderrText();
}

}  // namespace
}  // namespace fourdollar::e2e
