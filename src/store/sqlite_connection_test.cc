#include "store/sqlite_connection.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace fourdollar::store {
namespace {

TEST(SqliteErrorFromCode, FullIsDiskFull) {
  Error error = SqliteErrorFromCode(SQLITE_FULL, "commit", "database or disk is full");
  EXPECT_EQ(error.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(error.message, "commit: disk full");
}

TEST(SqliteErrorFromCode, IoErrorFromEnospcIsDiskFull) {
  Error error = SqliteErrorFromCode(SQLITE_IOERR_SHMSIZE, "commit", "disk I/O error", ENOSPC);
  EXPECT_EQ(error.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(error.message, "commit: disk full (disk I/O error)");
}

TEST(SqliteErrorFromCode, IoErrorFromQuotaIsDiskFull) {
  EXPECT_EQ(SqliteErrorFromCode(SQLITE_IOERR_FSYNC, "commit", "disk I/O error", EDQUOT).code,
            ErrorCode::kResourceExhausted);
}

TEST(SqliteErrorFromCode, OtherIoErrorIsIo) {
  Error error = SqliteErrorFromCode(SQLITE_IOERR_WRITE, "commit", "disk I/O error", EIO);
  EXPECT_EQ(error.code, ErrorCode::kIo);
  EXPECT_EQ(error.message, "commit: disk I/O error");
}

TEST(SqliteErrorFromCode, BusyIsUnavailable) {
  EXPECT_EQ(SqliteErrorFromCode(SQLITE_BUSY, "begin", "database is locked").code,
            ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace fourdollar::store
