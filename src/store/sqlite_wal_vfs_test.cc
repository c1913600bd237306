#include "store/sqlite_wal_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "store/sqlite_connection.h"
#include "support/temp_dir.h"

namespace fourdollar::store {
namespace {

using test_support::TempDir;

// Write-family system calls made by this process so far (/proc/self/io, "syscw").
int64_t WriteCalls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == "syscw:") return value;
  }
  ADD_FAILURE() << "no syscw in /proc/self/io";
  return 0;
}

// A raw connection through the VFS named `vfs`, for the comparisons and for a reader that does
// not go through the shim.
class RawDb {
 public:
  RawDb(const std::string& path, const char* vfs) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
              SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string text;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* value = sqlite3_column_text(stmt, 0);
      text = value != nullptr ? reinterpret_cast<const char*>(value) : "";
    } else {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_finalize(stmt);
    return text;
  }

 private:
  sqlite3* db_ = nullptr;
};

// One transaction of five rows of 3,000 bytes (a page each, plus the index and tree pages above
// them): the write calls it took.
int64_t WriteCallsOfACommit(RawDb& db) {
  const int64_t before = WriteCalls();
  db.Exec(
      "BEGIN; "
      "INSERT INTO t(body) SELECT randomblob(3000) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL "
      "SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5); "
      "COMMIT");
  return WriteCalls() - before;
}

void MakeTable(RawDb& db, const char* synchronous) {
  db.Exec("PRAGMA journal_mode=WAL");
  db.Exec(std::string("PRAGMA synchronous=") + synchronous);
  db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB); CREATE INDEX t_body ON t(body)");
}

TEST(SqliteWalVfs, WritesACommitsFramesInOneSystemCall) {
  TempDir dir;
  RawDb batched(dir.File("batched.db"), WalBatchingVfsName());
  RawDb plain(dir.File("plain.db"), "unix");
  MakeTable(batched, "FULL");
  MakeTable(plain, "FULL");
  // The first commits write the WAL's header and grow the files; measure the ones after.
  WriteCallsOfACommit(batched);
  WriteCallsOfACommit(plain);

  const int64_t plain_calls = WriteCallsOfACommit(plain);
  const int64_t batched_calls = WriteCallsOfACommit(batched);
  EXPECT_GE(plain_calls, 10) << "the default VFS: two writes per frame";
  EXPECT_EQ(batched_calls, 1);
  EXPECT_EQ(batched.Text("SELECT count(*) FROM t"), "10");
}

TEST(SqliteWalVfs, ACommitIsInTheFileBeforeAnotherConnectionSeesItWithoutSync) {
  // synchronous=OFF: SQLite never syncs, so only the commit frame ends the pending writes. The
  // reader goes through the default VFS, with its own file descriptor: it sees a commit in the
  // WAL index and reads its frames from the file.
  TempDir dir;
  const std::string path = dir.File("posts.db");
  RawDb writer(path, WalBatchingVfsName());
  MakeTable(writer, "OFF");
  RawDb reader(path, "unix");
  for (int i = 1; i <= 20; ++i) {
    writer.Exec("INSERT INTO t(body) VALUES (randomblob(" + std::to_string(3000 + i) + "))");
    ASSERT_EQ(reader.Text("SELECT count(*) || ' ' || sum(length(body)) FROM t"),
              std::to_string(i) + " " + std::to_string(i * 3000 + i * (i + 1) / 2))
        << "after commit " << i;
  }
  EXPECT_EQ(reader.Text("PRAGMA integrity_check"), "ok");
}

TEST(SqliteWalVfs, ATransactionLargerThanItsBufferIsWrittenWhole) {
  TempDir dir;
  const std::string path = dir.File("big.db");
  {
    RawDb writer(path, WalBatchingVfsName());
    MakeTable(writer, "FULL");
    // About 9 MiB of frames in one transaction (the rows, and the index of them), more than
    // SQLite's page cache holds: the pending bytes are written as they pass 96 KiB, and the
    // pages spilled to the WAL before the commit are read back from it.
    writer.Exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
        "INSERT INTO t(body) SELECT randomblob(3000) FROM n");
  }
  RawDb reopened(path, "unix");
  EXPECT_EQ(reopened.Text("SELECT count(*) FROM t"), "1000");
  EXPECT_EQ(reopened.Text("PRAGMA integrity_check"), "ok");
}

TEST(SqliteWalVfs, TheStoresConnectionsUseIt) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.File("store.db"), SqliteDb::Mode::kReadWriteCreate, 1000);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  char* name = nullptr;
  ASSERT_EQ(sqlite3_file_control(db->get(), "main", SQLITE_FCNTL_VFSNAME, &name), SQLITE_OK);
  const std::string vfs = name != nullptr ? name : "";
  sqlite3_free(name);
  EXPECT_EQ(vfs, std::string(WalBatchingVfsName()) + "/unix");
}

}  // namespace
}  // namespace fourdollar::store
