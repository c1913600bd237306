// The SQLite schema and its migrations, versioned with PRAGMA user_version.
#pragma once

#include "base/result.h"
#include "store/sqlite_connection.h"

namespace fourdollar::store {

// The schema version this build creates and understands.
int SqliteSchemaVersion();

// Brings the database to SqliteSchemaVersion() in one transaction, applying each missing
// migration in order. Fails (kInvalidArgument, naming the file and both versions) when the
// database was written by a newer build, and leaves such a database untouched.
Status MigrateSqliteSchema(SqliteDb& db);

}  // namespace fourdollar::store
