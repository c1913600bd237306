#include "store/postgres_connection.h"
#include "store/libpq.h"

#include <charconv>
#include <cstring>

namespace fourdollar::store {

namespace {

// Bounds how long a connection attempt may block its thread (a loop thread, for sessions).
constexpr const char* kConnectTimeoutSeconds = "3";

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

Result<PgConnection> PgConnection::Connect(const std::string& url) {
  if (Status loaded = LoadLibPq(); !loaded) return tl::unexpected(loaded.error());
  // A URL is expanded in place of "dbname"; the keywords after it override what it says.
  const char* keywords[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), kConnectTimeoutSeconds, "fourdollar", nullptr};
  PgConnection connection(Pq().PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (connection.conn_ == nullptr) {
    return MakeError(ErrorCode::kResourceExhausted, "cannot connect to PostgreSQL: out of memory");
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
