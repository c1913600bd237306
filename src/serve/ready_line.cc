#include "serve/ready_line.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <charconv>
#include <vector>

#include "base/unique_fd.h"

namespace fourdollar::serve {

namespace {

constexpr std::string_view kHttp = "http://";
constexpr std::string_view kHttps = "https://";
constexpr std::string_view kSeparator = " | ";
constexpr std::string_view kStore = "store ";
constexpr std::string_view kThreads = "threads ";
constexpr std::string_view kTokenIn = "write token in ";

tl::unexpected<Error> Mismatch(std::string_view line, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "server ready line " + std::string(what) + ": '" + std::string(line) + "'");
}

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  for (size_t at = text.find(kSeparator); at != std::string_view::npos;
       at = text.find(kSeparator)) {
    fields.push_back(text.substr(0, at));
    text.remove_prefix(at + kSeparator.size());
  }
  fields.push_back(text);
  return fields;
}

template <typename Int>
bool ParseWhole(std::string_view digits, Int* value) {
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
  return ec == std::errc() && end == digits.data() + digits.size();
}

}  // namespace

std::string ReadyLine::url() const {
  return std::string(tls ? kHttps : kHttp) + host + ":" + std::to_string(port);
}

std::optional<std::string> ReadyLine::token_file() const {
  if (!writes.starts_with(kTokenIn)) return std::nullopt;
  return writes.substr(kTokenIn.size());
}

bool ReadyLine::open_writes() const { return writes.starts_with("open writes"); }

std::string FormatReadyLine(const ReadyLine& ready) {
  return std::string(kReadyLinePrefix) + ready.url() + std::string(kSeparator) +
         std::string(kStore) + ready.store + std::string(kSeparator) + std::string(kThreads) +
         std::to_string(ready.threads) + std::string(kSeparator) + ready.writes;
}

Result<ReadyLine> ParseReadyLine(std::string_view line) {
  if (!line.starts_with(kReadyLinePrefix))
    return Mismatch(line, "does not start with '" + std::string(kReadyLinePrefix) + "'");
  std::vector<std::string_view> fields = SplitFields(line.substr(kReadyLinePrefix.size()));
  // URL, store, threads, writes; a token path may itself hold " | ", so the rest is joined.
  if (fields.size() < 4) return Mismatch(line, "lacks the 'URL | store | threads | writes' fields");
  ReadyLine ready;
  std::string_view url = fields[0];
  ready.tls = url.starts_with(kHttps);
  const size_t scheme = ready.tls ? kHttps.size() : kHttp.size();
  const size_t colon = url.rfind(':');
  if (!(ready.tls || url.starts_with(kHttp)) || colon == std::string_view::npos ||
      colon <= scheme || !ParseWhole(url.substr(colon + 1), &ready.port) || ready.port == 0) {
    return Mismatch(line, "has no http://HOST:PORT or https://HOST:PORT URL");
  }
  ready.host = std::string(url.substr(scheme, colon - scheme));
  if (!fields[1].starts_with(kStore) || fields[1].size() == kStore.size())
    return Mismatch(line, "has no 'store URL' field");
  ready.store = std::string(fields[1].substr(kStore.size()));
  if (!fields[2].starts_with(kThreads) ||
      !ParseWhole(fields[2].substr(kThreads.size()), &ready.threads) || ready.threads <= 0) {
    return Mismatch(line, "has no 'threads N' field");
  }
  ready.writes = std::string(fields[3]);
  for (size_t i = 4; i < fields.size(); ++i) {
    ready.writes += std::string(kSeparator) + std::string(fields[i]);
  }
  return ready;
}

std::optional<std::string_view> FindReadyLine(std::string_view text) {
  for (size_t end = text.find('\n'); end != std::string_view::npos; end = text.find('\n')) {
    std::string_view line = text.substr(0, end);
    if (line.starts_with(kReadyLinePrefix)) return line;
    text.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::string FormatReadyJson(const ReadyLine& ready) {
  boost::json::object object;
  object["url"] = ready.url();
  object["host"] = ready.host;
  object["port"] = ready.port;
  object["store"] = ready.store;
  object["threads"] = ready.threads;
  object["writes"] = ready.writes;
  if (std::optional<std::string> token_file = ready.token_file()) {
    object["token_file"] = *token_file;
  }
  return boost::json::serialize(object);
}

Status WriteReadyFile(const std::string& path, const ReadyLine& ready) {
  const std::string temporary = path + ".tmp";
  const std::string text = FormatReadyJson(ready) + "\n";
  UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("open " + temporary, errno);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::unlink(temporary.c_str());
      return ErrnoError("write " + temporary, saved);
    }
    written += static_cast<size_t>(n);
  }
  fd.Reset();
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    return ErrnoError("rename " + temporary + " to " + path, saved);
  }
  return {};
}

}  // namespace fourdollar::serve
