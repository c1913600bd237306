// The SQLite schema and its migrations, versioned with PRAGMA user_version.
#pragma once

#include "base/result.h"
#include "store/sqlite_connection.h"
#include "store/store.h"

namespace fourdollar::store {

// The schema version this build creates and understands.
int SqliteSchemaVersion();

// Brings the database to SqliteSchemaVersion() in one transaction, applying each missing
// migration in order. Fails (kInvalidArgument, naming the file and both versions) when the
// database was written by a newer build, and leaves such a database untouched.
// Then, when `render_html` is set, renders the HTML of every post stored without it (rows of a
// database made before the HTML was kept), in the same transaction.
Status MigrateSqliteSchema(SqliteDb& db, const RenderHtml& render_html = {});

}  // namespace fourdollar::store
