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
#include <utility>
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
  // itself is malformed. The message never holds the password. Gives up after `timeout_ms`
  // (kUnavailable), also against a server that accepts the connection and never answers.
  static Result<PgConnection> Connect(const std::string& url,
                                      int64_t timeout_ms = kDefaultConnectTimeoutMs);
  static constexpr int64_t kDefaultConnectTimeoutMs = 3000;

  PgConnection() = default;
  PgConnection(PgConnection&& other) noexcept
      : conn_(std::move(other.conn_)), stalled_(std::exchange(other.stalled_, false)) {}
  PgConnection& operator=(PgConnection&& other) noexcept {
    conn_ = std::move(other.conn_);
    stalled_ = std::exchange(other.stalled_, false);
    return *this;
  }

  bool valid() const { return conn_ != nullptr; }
  // False once the connection broke (server gone, network down) or a deadline passed in the
  // middle of a statement.
  bool ok() const {
    return conn_ != nullptr && !stalled_ && Pq().PQstatus(conn_.get()) == CONNECTION_OK;
  }
  void Close() {
    conn_.reset();
    stalled_ = false;
  }
  PGconn* get() const { return conn_.get(); }

  // Runs one or more statements without parameters; the result of the last one.
  Result<PgResult> Exec(const std::string& sql);
  // Runs one statement with text parameters ($1, $2...), each NUL-terminated and alive for the
  // call.
  Result<PgResult> ExecParams(const std::string& sql, const std::vector<const char*>& params);
  // Prepares a named statement once, and runs it.
  Status Prepare(const std::string& name, const std::string& sql, int param_count);
  Result<PgResult> ExecPrepared(const std::string& name, const std::vector<std::string>& params);

  // The same, giving up at `deadline_ns` (monotonic) with kUnavailable. After a deadline passed
  // the connection is in the middle of a statement: ok() is false from then on; close it.
  Result<PgResult> ExecBy(const std::string& sql, int64_t deadline_ns);
  Result<PgResult> ExecParamsBy(const std::string& sql, const std::vector<const char*>& params,
                                int64_t deadline_ns);
  Status PrepareBy(const std::string& name, const std::string& sql, int param_count,
                   int64_t deadline_ns);
  Result<PgResult> ExecPreparedBy(const std::string& name, const std::vector<std::string>& params,
                                  int64_t deadline_ns);

  // "postgres://user@host:port/dbname", without the password.
  std::string Describe() const;

 private:
  struct ConnDeleter {
    void operator()(PGconn* conn) const { Pq().PQfinish(conn); }
  };
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Result<PgResult> Check(PGresult* raw, std::string_view what);
  // Waits for the statement just sent and returns its last result.
  Result<PgResult> AwaitResult(int64_t deadline_ns, std::string_view what);

  std::unique_ptr<PGconn, ConnDeleter> conn_;
  bool stalled_ = false;
};

}  // namespace fourdollar::store
