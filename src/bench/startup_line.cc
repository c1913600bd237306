#include "bench/startup_line.h"

#include <vector>

namespace fourdollar::bench {

namespace {

tl::unexpected<Error> Mismatch(std::string_view line, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "server start-up line " + std::string(what) + ": '" + std::string(line) + "'");
}

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  constexpr std::string_view kSeparator = " | ";
  for (size_t at = text.find(kSeparator); at != std::string_view::npos;
       at = text.find(kSeparator)) {
    fields.push_back(text.substr(0, at));
    text.remove_prefix(at + kSeparator.size());
  }
  fields.push_back(text);
  return fields;
}

}  // namespace

Result<StartupLine> ParseStartupLine(std::string_view line) {
  if (!line.starts_with(kStartupPrefix))
    return Mismatch(line, "does not start with 'fourdollar: listening on '");
  std::vector<std::string_view> fields = SplitFields(line.substr(kStartupPrefix.size()));
  // URL, store, threads, writes; a token path may itself hold " | ", so the rest is joined.
  if (fields.size() < 4) return Mismatch(line, "lacks the 'URL | store | threads | writes' fields");
  StartupLine parsed;
  std::string_view url = fields[0];
  constexpr std::string_view kHttp = "http://";
  size_t colon = url.rfind(':');
  if (!url.starts_with(kHttp) || colon == std::string_view::npos || colon < kHttp.size() ||
      colon + 1 == url.size() ||
      url.substr(colon + 1).find_first_not_of("0123456789") != std::string_view::npos) {
    return Mismatch(line, "has no http://HOST:PORT URL");
  }
  parsed.url = std::string(url);
  std::string writes(fields[3]);
  for (size_t i = 4; i < fields.size(); ++i) writes += " | " + std::string(fields[i]);
  constexpr std::string_view kTokenIn = "write token in ";
  if (writes.starts_with(kTokenIn)) {
    parsed.token_file = writes.substr(kTokenIn.size());
  } else if (writes.starts_with("open writes")) {
    parsed.open_writes = true;
  }
  return parsed;
}

}  // namespace fourdollar::bench
