// The PostgreSQL implementation of Store, for several instances on one database: one writer
// thread with group commit (postgres_writer.h), one read connection per session
// (postgres_session.h), and a listener that keeps caches coherent across instances
// (postgres_listener.h).
#pragma once

#include <memory>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace fourdollar::store {

// Connects to options.url (postgres:// or postgresql://; libpq takes what the URL omits from
// the PG* environment variables), creates or migrates the schema and starts the writer and the
// listener. Fails when PostgreSQL cannot be reached at start (kUnavailable), the URL is
// malformed (kInvalidArgument), or the schema is newer than this build. `clock` stamps new
// posts and must outlive the store.
Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options, const Clock& clock);

}  // namespace fourdollar::store
