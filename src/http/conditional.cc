#include "http/conditional.h"

#include <time.h>

#include <array>
#include <cstdio>
#include <cstring>

// Header only: the hash compiles into the caller, so the binary needs no libxxhash at run time.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace fourdollar::http {

namespace {

// The opaque tag without W/ and without an encoding suffix, or "" when `tag` is malformed.
std::string_view Opaque(std::string_view tag, bool* weak) {
  *weak = tag.substr(0, 2) == "W/";
  if (*weak) tag.remove_prefix(2);
  if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') return {};
  tag = tag.substr(1, tag.size() - 2);
  for (std::string_view suffix : {std::string_view("-gzip"), std::string_view("-br")}) {
    if (tag.size() > suffix.size() && tag.substr(tag.size() - suffix.size()) == suffix) {
      tag.remove_suffix(suffix.size());
    }
  }
  return tag;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool ListMatches(std::string_view header, std::string_view etag, bool strong) {
  header = Trim(header);
  if (header == "*") return true;
  bool ignored = false;
  std::string_view ours = Opaque(etag, &ignored);
  if (ours.empty()) return false;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    bool weak = false;
    std::string_view theirs = Opaque(item, &weak);
    if (!theirs.empty() && theirs == ours && !(strong && weak)) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string StrongEtag(std::string_view content) {
  // XXH3: its output is specified and the same on every machine, and it reads a page many bytes
  // at a time (a loop thread hashes each page it renders, up to a 100 KB post's).
  const uint64_t hash = XXH3_64bits(content.data(), content.size());
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  return ListMatches(header, etag, /*strong=*/false);
}

bool IfMatchMatches(std::string_view header, std::string_view etag) {
  return ListMatches(header, etag, /*strong=*/true);
}

std::string HttpDate(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  tm parts{};
  gmtime_r(&t, &parts);
  char text[40];
  int n = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                        kDays[static_cast<size_t>(parts.tm_wday) % 7], parts.tm_mday,
                        kMonths[static_cast<size_t>(parts.tm_mon) % 12], parts.tm_year + 1900,
                        parts.tm_hour, parts.tm_min, parts.tm_sec);
  return std::string(text, n > 0 ? static_cast<size_t>(n) : 0);
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": exactly 29 characters.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto number = [&](size_t at, size_t digits, int* out) {
    int value = 0;
    for (size_t i = at; i < at + digits; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    *out = value;
    return true;
  };
  tm parts{};
  int month = -1;
  for (size_t m = 0; m < kMonths.size(); ++m) {
    if (text.substr(8, 3) == kMonths[m]) month = static_cast<int>(m);
  }
  int year = 0;
  if (month < 0 || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[19] != ':' ||
      text[22] != ':' || !number(5, 2, &parts.tm_mday) || !number(12, 4, &year) ||
      !number(17, 2, &parts.tm_hour) || !number(20, 2, &parts.tm_min) ||
      !number(23, 2, &parts.tm_sec)) {
    return std::nullopt;
  }
  parts.tm_mon = month;
  parts.tm_year = year - 1900;
  if (parts.tm_mday < 1 || parts.tm_mday > 31 || parts.tm_hour > 23 || parts.tm_min > 59 ||
      parts.tm_sec > 60) {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&parts));
}

}  // namespace fourdollar::http
