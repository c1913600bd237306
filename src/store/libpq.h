// libpq, loaded when a postgres:// store is opened rather than when the program starts: a
// blog on SQLite, and the load generator, then do not map libpq and what it pulls in (OpenSSL,
// Kerberos, LDAP, GnuTLS: about 4 MB of resident pages). Written by hand because dlopen needs
// the table of the functions used; the types and constants still come from <libpq-fe.h>.
#pragma once

#include <libpq-fe.h>

#include "base/result.h"

namespace fourdollar::store {

struct LibPq {
  decltype(&::PQclear) PQclear = nullptr;
  decltype(&::PQconnectdbParams) PQconnectdbParams = nullptr;
  decltype(&::PQconnectPoll) PQconnectPoll = nullptr;
  decltype(&::PQconnectStartParams) PQconnectStartParams = nullptr;
  decltype(&::PQconsumeInput) PQconsumeInput = nullptr;
  decltype(&::PQdb) PQdb = nullptr;
  decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
  decltype(&::PQexec) PQexec = nullptr;
  decltype(&::PQexecParams) PQexecParams = nullptr;
  decltype(&::PQexecPrepared) PQexecPrepared = nullptr;
  decltype(&::PQfinish) PQfinish = nullptr;
  decltype(&::PQflush) PQflush = nullptr;
  decltype(&::PQfreemem) PQfreemem = nullptr;
  decltype(&::PQgetlength) PQgetlength = nullptr;
  decltype(&::PQgetResult) PQgetResult = nullptr;
  decltype(&::PQgetvalue) PQgetvalue = nullptr;
  decltype(&::PQhost) PQhost = nullptr;
  decltype(&::PQisBusy) PQisBusy = nullptr;
  decltype(&::PQnotifies) PQnotifies = nullptr;
  decltype(&::PQntuples) PQntuples = nullptr;
  decltype(&::PQport) PQport = nullptr;
  decltype(&::PQprepare) PQprepare = nullptr;
  decltype(&::PQresultErrorField) PQresultErrorField = nullptr;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
  decltype(&::PQresultStatus) PQresultStatus = nullptr;
  decltype(&::PQsendPrepare) PQsendPrepare = nullptr;
  decltype(&::PQsendQuery) PQsendQuery = nullptr;
  decltype(&::PQsendQueryParams) PQsendQueryParams = nullptr;
  decltype(&::PQsendQueryPrepared) PQsendQueryPrepared = nullptr;
  decltype(&::PQsetnonblocking) PQsetnonblocking = nullptr;
  decltype(&::PQsocket) PQsocket = nullptr;
  decltype(&::PQstatus) PQstatus = nullptr;
  decltype(&::PQuser) PQuser = nullptr;
};

// Loads libpq (libpq.so.5) once; later calls return the first outcome. Thread-safe. The error
// names the library and says which Debian package provides it.
Status LoadLibPq();

// The loaded functions; only after LoadLibPq() succeeded.
const LibPq& Pq();

}  // namespace fourdollar::store
