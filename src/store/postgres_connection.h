// A thin owner of one libpq connection: connect, run statements with text parameters, map
// failures to error codes. libpq's exceptions-free C API stays inside this file and its users
// in src/store.
//
// Threading: one thread uses a connection at a time.
#pragma once

#include "store/libpq.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace fourdollar::store {

// A query result, cleared when destroyed.
struct PgResultDeleter {
  void operator()(PGresult* result) const { Pq().PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// Reads a column of a result row; libpq returns text, which these parse.
int64_t PgInt64(const PGresult* result, int row, int column);
std::string PgText(const PGresult* result, int row, int column);

class PgConnection {
 public:
  // Connects to `url` (a postgres:// or postgresql:// URI, or a key=value string; libpq fills
  // what it omits from the PG* environment variables). A failure is kUnavailable when the
  // server may come back (refused, starting up, shutting down), kInvalidArgument when the URL
  // itself is malformed. The message never holds the password.
  static Result<PgConnection> Connect(const std::string& url);

  PgConnection() = default;
  PgConnection(PgConnection&&) = default;
  PgConnection& operator=(PgConnection&&) = default;

  bool valid() const { return conn_ != nullptr; }
  // False once the connection broke (server gone, network down).
  bool ok() const { return conn_ != nullptr && Pq().PQstatus(conn_.get()) == CONNECTION_OK; }
  void Close() { conn_.reset(); }
  PGconn* get() const { return conn_.get(); }

  // Runs one or more statements without parameters; the result of the last one.
  Result<PgResult> Exec(const std::string& sql);
  // Runs one statement with text parameters ($1, $2...), each NUL-terminated and alive for the
  // call.
  Result<PgResult> ExecParams(const std::string& sql, const std::vector<const char*>& params);
  // Prepares a named statement once, and runs it.
  Status Prepare(const std::string& name, const std::string& sql, int param_count);
  Result<PgResult> ExecPrepared(const std::string& name, const std::vector<std::string>& params);

  // "postgres://user@host:port/dbname", without the password.
  std::string Describe() const;

 private:
  struct ConnDeleter {
    void operator()(PGconn* conn) const { Pq().PQfinish(conn); }
  };
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Result<PgResult> Check(PGresult* raw, std::string_view what);

  std::unique_ptr<PGconn, ConnDeleter> conn_;
};

}  // namespace fourdollar::store
