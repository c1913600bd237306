// Chooses the store implementation from the scheme of the store URL.
#include <string_view>

#include "store/sqlite_store.h"
#include "store/store.h"

namespace fourdollar::store {

namespace {

constexpr std::string_view kSqliteScheme = "sqlite:";

// The URL as it may appear in an error: a password in "scheme://user:password@host" is elided.
std::string Printable(std::string_view url) {
  size_t authority = url.find("://");
  if (authority == std::string_view::npos) return std::string(url);
  authority += 3;
  size_t at = url.find('@', authority);
  size_t colon = url.find(':', authority);
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) {
    return std::string(url);
  }
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  std::string_view url = options.url;
  if (url.starts_with(kSqliteScheme)) {
    return OpenSqliteStore(std::string(url.substr(kSqliteScheme.size())), options, RealClock());
  }
  return MakeError(ErrorCode::kInvalidArgument, "unsupported store URL \"" + Printable(url) +
                                                    "\": supported schemes are sqlite:PATH");
}

}  // namespace fourdollar::store
