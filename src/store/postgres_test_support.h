// Test helpers for the PostgreSQL store: a fresh database per test on the test cluster named by
// the environment variable FOURDOLLAR_TEST_PG_URL (scripts/test.sh starts a private cluster and
// sets it). Tests skip with kPostgresSkipReason when it is unset.
#pragma once

#include <cstdlib>
#include <optional>
#include <random>
#include <string>

#include "base/result.h"
#include "store/postgres_connection.h"

namespace fourdollar::store::testing {

inline constexpr const char* kPostgresSkipReason =
    "FOURDOLLAR_TEST_PG_URL is not set: no PostgreSQL to test against (scripts/test.sh starts "
    "a private cluster and sets it)";

// The URL of the test cluster's admin database, or std::nullopt when none is configured.
inline std::optional<std::string> TestPostgresUrl() {
  const char* url = std::getenv("FOURDOLLAR_TEST_PG_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

// `url` with its database name (the path after the authority) replaced by `database`.
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  size_t authority = url.find("://");
  size_t slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  size_t query = url.find('?');
  // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on a chain of operator+.
  std::string result = url.substr(0, slash == std::string::npos ? query : slash);
  result.append("/").append(database);
  if (query != std::string::npos) result.append(url, query);
  return result;
}

// Creates an empty database with a random name on the test cluster; returns its URL.
inline Result<std::string> CreateTestDatabase() {
  std::optional<std::string> admin_url = TestPostgresUrl();
  if (!admin_url) return MakeError(ErrorCode::kUnavailable, kPostgresSkipReason);
  auto admin = PgConnection::Connect(*admin_url);
  if (!admin) return tl::unexpected(admin.error());
  std::random_device random;
  const std::string name = "test_" + std::to_string(random()) + "_" + std::to_string(random());
  auto created = admin->Exec("CREATE DATABASE " + name);
  if (!created) return tl::unexpected(created.error());
  return WithDatabase(*admin_url, name);
}

}  // namespace fourdollar::store::testing
