#include "results/raw_csv.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "results/results_csv.h"

namespace fourdollar::results {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;

}  // namespace

std::string RawCsvPartPath(const std::string& path, int thread_index) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  const bool has_extension =
      dot != std::string::npos && dot > 0 && (slash == std::string::npos || dot > slash + 1);
  const std::string stem = has_extension ? path.substr(0, dot) : path;
  return stem + "-" + std::to_string(thread_index) + (has_extension ? path.substr(dot) : "");
}

Result<std::unique_ptr<RawCsvWriter>> RawCsvWriter::Open(const std::string& path,
                                                         std::vector<std::string> names) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  std::unique_ptr<RawCsvWriter> writer(new RawCsvWriter(std::move(fd), path, std::move(names)));
  writer->buffer_ += kRawCsvHeader;
  writer->buffer_ += '\n';
  return writer;
}

RawCsvWriter::RawCsvWriter(UniqueFd fd, std::string path, std::vector<std::string> names)
    : fd_(std::move(fd)), path_(std::move(path)), names_(std::move(names)) {
  buffer_.reserve(kBufferBytes + 4096);
}

RawCsvWriter::~RawCsvWriter() {
  if (fd_.valid()) Flush();
}

void RawCsvWriter::Write(const RequestSample& sample, std::string_view method, std::string_view url,
                         std::string_view scenario) {
  const int64_t end_unix_us = sample.start_unix_us + sample.duration_us;
  const std::string timestamp = std::to_string(end_unix_us / 1'000'000);
  const bool failed = sample.failure != FailureKind::kNone;
  const bool expected = sample.status >= 200 && sample.status < 400;  // k6's default range
  const std::string_view name =
      sample.name_index < names_.size() ? std::string_view(names_[sample.name_index]) : url;
  auto ms = [](int64_t us) { return FormatDouble(static_cast<double>(us) / 1000.0); };
  const RequestPhases& p = sample.phases;
  // k6's rows for one request, in k6's order.
  const std::string values[kRawCsvRowsPerRequest] = {"1",
                                                     ms(sample.duration_us),
                                                     ms(p.blocked_us),
                                                     ms(p.connecting_us),
                                                     ms(p.tls_handshaking_us),
                                                     ms(p.sending_us),
                                                     ms(p.waiting_us),
                                                     ms(p.receiving_us),
                                                     failed ? "1" : "0"};
  const char* metrics[kRawCsvRowsPerRequest] = {
      "http_reqs",           "http_req_duration",        "http_req_blocked",
      "http_req_connecting", "http_req_tls_handshaking", "http_req_sending",
      "http_req_waiting",    "http_req_receiving",       "http_req_failed"};
  for (size_t i = 0; i < kRawCsvRowsPerRequest; ++i) {
    buffer_ += metrics[i];
    buffer_ += ',';
    buffer_ += timestamp;
    buffer_ += ',';
    buffer_ += values[i];
    buffer_ += ",,";  // check: only check rows carry one
    if (failed) buffer_ += FailureKindName(sample.failure);
    buffer_ += ",,";  // error_code: k6's numeric codes have no equivalent here
    buffer_ += expected ? "true" : "false";
    buffer_ += ",,";  // group
    AppendCsvField(buffer_, method);
    buffer_ += ',';
    AppendCsvField(buffer_, name);
    buffer_ += ",HTTP/1.1,";
    AppendCsvField(buffer_, scenario);
    buffer_ += ",,";  // service
    buffer_ += std::to_string(sample.status);
    buffer_ += ",,";  // subproto
    buffer_ += sample.tls_version;
    buffer_ += ',';
    AppendCsvField(buffer_, url);
    buffer_ += ",,\n";  // extra_tags, metadata
  }
  if (buffer_.size() >= kBufferBytes) Flush();
}

void RawCsvWriter::Flush() {
  size_t written = 0;
  while (status_ && written < buffer_.size()) {
    const ssize_t n = ::write(fd_.get(), buffer_.data() + written, buffer_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status_ = ErrnoError("write " + path_, errno);
      break;
    }
    written += static_cast<size_t>(n);
  }
  buffer_.clear();
}

Status RawCsvWriter::Close() {
  if (!fd_.valid()) return status_;
  Flush();
  if (::close(fd_.Release()) != 0 && status_) status_ = ErrnoError("close " + path_, errno);
  return status_;
}

}  // namespace fourdollar::results
