// Chooses the store implementation from the scheme of the store URL.
#include <string_view>

#include "store/postgres_store.h"
#include "store/printable_url.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace fourdollar::store {

namespace {

constexpr std::string_view kSqliteScheme = "sqlite:";
constexpr std::string_view kPostgresSchemes[] = {"postgres://", "postgresql://"};

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  std::string_view url = options.url;
  if (url.starts_with(kSqliteScheme)) {
    return OpenSqliteStore(std::string(url.substr(kSqliteScheme.size())), options, RealClock());
  }
  for (std::string_view scheme : kPostgresSchemes) {
    if (url.starts_with(scheme)) return OpenPostgresStore(options, RealClock());
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unsupported store URL \"" + ElidePassword(url) +
                       "\": supported schemes are sqlite:PATH and postgres://USER@HOST:PORT/DB");
}

}  // namespace fourdollar::store
