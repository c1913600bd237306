// The PostgreSQL schema and its versioned migrations.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "store/postgres_connection.h"
#include "store/store.h"

namespace fourdollar::store {

// The schema version this build creates and expects.
int PostgresSchemaVersion();

// Key of the transaction-level advisory lock every write transaction takes before it draws ids,
// so that ids across instances follow commit order.
inline constexpr int64_t kPostgresWriteLockKey = 0x466f7572'446f6c01;  // "FourDol" 1

// Brings the database to PostgresSchemaVersion(), creating it if empty. Several instances may
// call it at once: a session-level advisory lock makes them take turns. Refuses a database with
// a newer version (kInvalidArgument).
// Then, when `render_html` is set, renders the HTML of every post stored without it (rows of a
// database made before the HTML was kept).
Status MigratePostgresSchema(PgConnection& db, const RenderHtml& render_html = {});

}  // namespace fourdollar::store
