#include "store/libpq.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace fourdollar::store {

namespace {

LibPq library;
std::once_flag loaded;
std::string load_error;  // empty when the library and every function were found

template <typename Function>
bool Find(void* handle, const char* name, Function* out) {
  *out = reinterpret_cast<Function>(dlsym(handle, name));
  if (*out == nullptr && load_error.empty()) load_error = std::string("libpq has no ") + name;
  return *out != nullptr;
}

void Load() {
  void* handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    load_error = std::string("cannot load libpq.so.5 (Debian package libpq5): ") +
                 (why != nullptr ? why : "unknown reason");
    return;
  }
  Find(handle, "PQclear", &library.PQclear);
  Find(handle, "PQconnectdbParams", &library.PQconnectdbParams);
  Find(handle, "PQconnectPoll", &library.PQconnectPoll);
  Find(handle, "PQconnectStartParams", &library.PQconnectStartParams);
  Find(handle, "PQconsumeInput", &library.PQconsumeInput);
  Find(handle, "PQdb", &library.PQdb);
  Find(handle, "PQerrorMessage", &library.PQerrorMessage);
  Find(handle, "PQexec", &library.PQexec);
  Find(handle, "PQexecParams", &library.PQexecParams);
  Find(handle, "PQexecPrepared", &library.PQexecPrepared);
  Find(handle, "PQfinish", &library.PQfinish);
  Find(handle, "PQflush", &library.PQflush);
  Find(handle, "PQfreemem", &library.PQfreemem);
  Find(handle, "PQgetlength", &library.PQgetlength);
  Find(handle, "PQgetResult", &library.PQgetResult);
  Find(handle, "PQgetvalue", &library.PQgetvalue);
  Find(handle, "PQhost", &library.PQhost);
  Find(handle, "PQisBusy", &library.PQisBusy);
  Find(handle, "PQnotifies", &library.PQnotifies);
  Find(handle, "PQntuples", &library.PQntuples);
  Find(handle, "PQport", &library.PQport);
  Find(handle, "PQprepare", &library.PQprepare);
  Find(handle, "PQresultErrorField", &library.PQresultErrorField);
  Find(handle, "PQresultErrorMessage", &library.PQresultErrorMessage);
  Find(handle, "PQresultStatus", &library.PQresultStatus);
  Find(handle, "PQsendPrepare", &library.PQsendPrepare);
  Find(handle, "PQsendQuery", &library.PQsendQuery);
  Find(handle, "PQsendQueryParams", &library.PQsendQueryParams);
  Find(handle, "PQsendQueryPrepared", &library.PQsendQueryPrepared);
  Find(handle, "PQsetnonblocking", &library.PQsetnonblocking);
  Find(handle, "PQsocket", &library.PQsocket);
  Find(handle, "PQstatus", &library.PQstatus);
  Find(handle, "PQuser", &library.PQuser);
}

}  // namespace

Status LoadLibPq() {
  // Written once under call_once, read-only afterwards.
  std::call_once(loaded, Load);
  if (!load_error.empty()) return MakeError(ErrorCode::kUnavailable, load_error);
  return {};
}

const LibPq& Pq() { return library; }

}  // namespace fourdollar::store
