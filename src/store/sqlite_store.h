// The SQLite implementation of Store: one database file in WAL mode, one writer thread with
// group commit, and one read-only connection per session.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace fourdollar::store {

// Opens, creating and migrating if needed, the database at `path` (relative to the working
// directory or absolute). Missing parent folders are created with mode 0700. `clock` stamps
// new posts and must outlive the store. Errors name the path.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& options,
                                               const Clock& clock);

}  // namespace fourdollar::store
