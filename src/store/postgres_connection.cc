#include "store/postgres_connection.h"
#include "store/libpq.h"

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/clock.h"

namespace fourdollar::store {

namespace {

// Waits until `conn`'s socket is ready for `events` (POLLIN, POLLOUT), at most until
// `deadline_ns` (monotonic). Past it, kUnavailable: a server that accepts connections but does
// not answer (stopped, swapping, partitioned) looks exactly like this.
Status WaitForSocket(PGconn* conn, short events, int64_t deadline_ns, std::string_view what) {
  for (;;) {
    const int64_t left_ns = deadline_ns - MonotonicNowNs();
    if (left_ns <= 0) break;
    pollfd entry{.fd = Pq().PQsocket(conn), .events = events, .revents = 0};
    if (entry.fd < 0) return MakeError(ErrorCode::kUnavailable, std::string(what) + ": no socket");
    const int ready = ::poll(&entry, 1, static_cast<int>((left_ns + 999'999) / 1'000'000));
    if (ready > 0) return {};
    if (ready < 0 && errno != EINTR) {
      return MakeError(ErrorCode::kUnavailable,
                       std::string(what) + ": poll: " + std::strerror(errno));
    }
  }
  return MakeError(ErrorCode::kUnavailable,
                   std::string(what) + ": PostgreSQL did not answer in time");
}

// SQLSTATE classes and codes that mean "the server is not there right now": connection
// exceptions (08), shutting down or starting up (57P01..57P03), too many connections (53300).
bool IsUnavailableState(std::string_view state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "53300";
}

std::string Trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<const char*> Pointers(const std::vector<std::string>& params) {
  std::vector<const char*> pointers;
  pointers.reserve(params.size());
  for (const std::string& param : params) pointers.push_back(param.c_str());
  return pointers;
}

}  // namespace

int64_t PgInt64(const PGresult* result, int row, int column) {
  const char* text = Pq().PQgetvalue(result, row, column);
  int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

std::string PgText(const PGresult* result, int row, int column) {
  return std::string(Pq().PQgetvalue(result, row, column),
                     static_cast<size_t>(Pq().PQgetlength(result, row, column)));
}

Result<PgConnection> PgConnection::Connect(const std::string& url, int64_t timeout_ms) {
  if (Status loaded = LoadLibPq(); !loaded) return tl::unexpected(loaded.error());
  const int64_t deadline_ns = MonotonicNowNs() + timeout_ms * 1'000'000;
  // A URL is expanded in place of "dbname"; the keywords after it override what it says.
  // libpq's own connect_timeout counts whole seconds per host and blocks the thread, so the
  // connection is made without blocking and the deadline is kept here.
  const char* keywords[] = {"dbname", "application_name", nullptr};
  const char* values[] = {url.c_str(), "fourdollar", nullptr};
  PgConnection connection(Pq().PQconnectStartParams(keywords, values, /*expand_dbname=*/1));
  if (connection.conn_ == nullptr) {
    return MakeError(ErrorCode::kResourceExhausted, "cannot connect to PostgreSQL: out of memory");
  }
  // libpq's protocol: start as if it asked to write, then wait for what each poll asks for.
  PostgresPollingStatusType progress = PGRES_POLLING_WRITING;
  while (Pq().PQstatus(connection.get()) != CONNECTION_BAD && progress != PGRES_POLLING_OK &&
         progress != PGRES_POLLING_FAILED) {
    Status ready =
        WaitForSocket(connection.get(), progress == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                      deadline_ns, "cannot connect to PostgreSQL");
    if (!ready) return tl::unexpected(ready.error());
    progress = Pq().PQconnectPoll(connection.get());
  }
  if (Pq().PQstatus(connection.get()) == CONNECTION_OK) return connection;
  std::string message = Trimmed(Pq().PQerrorMessage(connection.get()));
  // A malformed URL fails before any network activity, with libpq's parse error.
  bool malformed = message.find("invalid") != std::string::npos &&
                   (message.find("URI") != std::string::npos ||
                    message.find("connection option") != std::string::npos ||
                    message.find("integer value") != std::string::npos);
  return MakeError(malformed ? ErrorCode::kInvalidArgument : ErrorCode::kUnavailable,
                   "cannot connect to PostgreSQL: " + message);
}

Result<PgResult> PgConnection::Check(PGresult* raw, std::string_view what) {
  PgResult result(raw);
  ExecStatusType status = result ? Pq().PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const char* state_text =
      result ? Pq().PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  std::string_view state = state_text == nullptr ? "" : state_text;
  std::string message = Trimmed(result ? Pq().PQresultErrorMessage(result.get()) : nullptr);
  if (message.empty()) message = Trimmed(Pq().PQerrorMessage(conn_.get()));
  ErrorCode code = ErrorCode::kIo;
  if (!ok() || IsUnavailableState(state)) {
    code = ErrorCode::kUnavailable;
  } else if (state == "53100") {
    code = ErrorCode::kResourceExhausted;  // disk full
  }
  return MakeError(code, std::string(what) + ": " + message);
}

Result<PgResult> PgConnection::Exec(const std::string& sql) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  return Check(Pq().PQexec(conn_.get(), sql.c_str()), "PostgreSQL");
}

Result<PgResult> PgConnection::ExecParams(const std::string& sql,
                                          const std::vector<const char*>& params) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  return Check(Pq().PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                                 params.data(), nullptr, nullptr, 0),
               "PostgreSQL");
}

Status PgConnection::Prepare(const std::string& name, const std::string& sql, int param_count) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  auto prepared = Check(
      Pq().PQprepare(conn_.get(), name.c_str(), sql.c_str(), param_count, nullptr), "prepare");
  if (!prepared) return tl::unexpected(prepared.error());
  return {};
}

Result<PgResult> PgConnection::ExecPrepared(const std::string& name,
                                            const std::vector<std::string>& params) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  std::vector<const char*> pointers = Pointers(params);
  return Check(Pq().PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(params.size()),
                                   pointers.data(), nullptr, nullptr, 0),
               "PostgreSQL");
}

Result<PgResult> PgConnection::ExecBy(const std::string& sql, int64_t deadline_ns) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  if (Pq().PQsendQuery(conn_.get(), sql.c_str()) == 0) return Check(nullptr, "PostgreSQL");
  return AwaitResult(deadline_ns, "PostgreSQL");
}

Result<PgResult> PgConnection::ExecParamsBy(const std::string& sql,
                                            const std::vector<const char*>& params,
                                            int64_t deadline_ns) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  if (Pq().PQsendQueryParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                             params.data(), nullptr, nullptr, 0) == 0) {
    return Check(nullptr, "PostgreSQL");
  }
  return AwaitResult(deadline_ns, "PostgreSQL");
}

Status PgConnection::PrepareBy(const std::string& name, const std::string& sql, int param_count,
                               int64_t deadline_ns) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  if (Pq().PQsendPrepare(conn_.get(), name.c_str(), sql.c_str(), param_count, nullptr) == 0) {
    return tl::unexpected(Check(nullptr, "prepare").error());
  }
  auto prepared = AwaitResult(deadline_ns, "prepare");
  if (!prepared) return tl::unexpected(prepared.error());
  return {};
}

Result<PgResult> PgConnection::ExecPreparedBy(const std::string& name,
                                              const std::vector<std::string>& params,
                                              int64_t deadline_ns) {
  if (!valid()) return MakeError(ErrorCode::kUnavailable, "not connected to PostgreSQL");
  std::vector<const char*> pointers = Pointers(params);
  if (Pq().PQsendQueryPrepared(conn_.get(), name.c_str(), static_cast<int>(params.size()),
                               pointers.data(), nullptr, nullptr, 0) == 0) {
    return Check(nullptr, "PostgreSQL");
  }
  return AwaitResult(deadline_ns, "PostgreSQL");
}

Result<PgResult> PgConnection::AwaitResult(int64_t deadline_ns, std::string_view what) {
  PGconn* conn = conn_.get();
  // Past the deadline the connection is in the middle of a statement: no longer usable.
  auto give_up = [&](const Status& waited) -> Result<PgResult> {
    stalled_ = true;
    return tl::unexpected(waited.error());
  };
  // The statement may still sit in libpq's output buffer (a full socket buffer).
  for (int flushed = Pq().PQflush(conn); flushed != 0; flushed = Pq().PQflush(conn)) {
    if (flushed < 0) return Check(nullptr, what);
    if (Status ready = WaitForSocket(conn, POLLOUT, deadline_ns, what); !ready) {
      return give_up(ready);
    }
  }
  // Every result up to the terminating null; the last one tells the outcome. PQgetResult
  // blocks while libpq is busy, so it is called only once the input at hand completes one.
  PgResult last;
  for (;;) {
    while (Pq().PQisBusy(conn) != 0) {
      if (Status ready = WaitForSocket(conn, POLLIN, deadline_ns, what); !ready) {
        return give_up(ready);
      }
      if (Pq().PQconsumeInput(conn) == 0) return Check(nullptr, what);
    }
    PGresult* next = Pq().PQgetResult(conn);
    if (next == nullptr) break;
    last.reset(next);
  }
  return Check(last.release(), what);
}

std::string PgConnection::Describe() const {
  if (!valid()) return "postgres://";
  auto part = [](const char* text) { return std::string(text == nullptr ? "" : text); };
  std::string host = part(Pq().PQhost(conn_.get()));
  // A unix-socket folder is not a host name; libpq's URI syntax percent-encodes it.
  if (host.starts_with("/")) {
    std::string encoded;
    for (char c : host) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
    host = encoded;
  }
  return "postgres://" + part(Pq().PQuser(conn_.get())) + "@" + host + ":" +
         part(Pq().PQport(conn_.get())) + "/" + part(Pq().PQdb(conn_.get()));
}

}  // namespace fourdollar::store
