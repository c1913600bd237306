// Reads a SQLite database file of the blog directly (as the sqlite3 shell would), for tests that
// check what is really on disk: the answer of PRAGMA integrity_check and every stored post.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/result.h"

namespace fourdollar::e2e {

struct SqliteFileContents {
  std::string integrity;  // "ok" when PRAGMA integrity_check found nothing wrong
  struct Row {
    std::string title;
    std::string body;
  };
  std::map<int64_t, Row> posts;  // by id
};

// Opens the file read-only (a running server may hold it: WAL lets both read) and reads it.
Result<SqliteFileContents> ReadSqliteFile(const std::string& path);

}  // namespace fourdollar::e2e
