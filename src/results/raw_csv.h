// Every request as CSV rows in k6's 19-column layout (`--raw-csv`), for tools that read k6's
// output. One writer per load thread, each writing its own file, so the hot path takes no
// lock: `--raw-csv out.csv` writes out-0.csv, out-1.csv... (RawCsvPartPath), each with the
// header; `tail -n +2` concatenates them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "results/recorder.h"

namespace fourdollar::results {

inline constexpr char kRawCsvHeader[] =
    "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,"
    "name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata";
inline constexpr size_t kRawCsvColumns = 19;
inline constexpr size_t kRawCsvRowsPerRequest = 9;

// "out.csv", 2 -> "out-2.csv"; "out" -> "out-2".
std::string RawCsvPartPath(const std::string& path, int thread_index);

// Not thread-safe: one per load thread. Rows are buffered (64 KiB) and written with write(2);
// the first write error is kept and returned by Close (later rows are dropped).
class RawCsvWriter {
 public:
  // Creates (or truncates) `path` and writes the header. `names` are the run's request names.
  static Result<std::unique_ptr<RawCsvWriter>> Open(const std::string& path,
                                                    std::vector<std::string> names);
  ~RawCsvWriter();
  RawCsvWriter(const RawCsvWriter&) = delete;
  RawCsvWriter& operator=(const RawCsvWriter&) = delete;

  // Nine rows per request, as k6 writes them: http_reqs (1), http_req_duration (ms), its phases
  // http_req_blocked, _connecting, _tls_handshaking, _sending, _waiting, _receiving (ms), and
  // http_req_failed (0 or 1), stamped with the unix second in which the request completed. `error`
  // is the failure kind
  // ("timeout"...) or empty; expected_response is true for a status in 200..399 (k6's
  // default); tls_version is the connection's, as k6 names it ("tls1.3"), empty over HTTP.
  void Write(const RequestSample& sample, std::string_view method, std::string_view url,
             std::string_view scenario);
  // Writes what is buffered, closes the file; the first error of any write, if one failed.
  Status Close();

 private:
  RawCsvWriter(UniqueFd fd, std::string path, std::vector<std::string> names);
  void Flush();

  UniqueFd fd_;
  std::string path_;
  std::vector<std::string> names_;
  std::string buffer_;
  Status status_;
};

}  // namespace fourdollar::results
