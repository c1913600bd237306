#include "e2e/sqlite_file.h"

#include "store/sqlite_connection.h"

namespace fourdollar::e2e {

Result<SqliteFileContents> ReadSqliteFile(const std::string& path) {
  auto db = store::SqliteDb::Open(path, store::SqliteDb::Mode::kReadOnly, 5000);
  if (!db) return tl::unexpected(db.error());
  SqliteFileContents contents;
  // integrity_check yields one row per problem; the first says "ok" or names the first one.
  auto integrity = db->QueryText("PRAGMA integrity_check");
  if (!integrity) return tl::unexpected(integrity.error());
  contents.integrity = *integrity;
  auto select = db->Prepare("SELECT id, title, body FROM posts");
  if (!select) return tl::unexpected(select.error());
  store::StatementResetter reset(*select);
  for (;;) {
    auto row = select->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    contents.posts[select->ColumnInt64(0)] = {select->ColumnText(1), select->ColumnText(2)};
  }
  return contents;
}

}  // namespace fourdollar::e2e
