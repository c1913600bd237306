#include "blog/post_id.h"

#include <charconv>
#include <system_error>

namespace fourdollar::blog {

namespace {
constexpr size_t kMaxIdDigits = 19;  // INT64_MAX = 9223372036854775807
}  // namespace

std::optional<int64_t> ParsePostId(std::string_view text) {
  if (text.empty() || text.size() > kMaxIdDigits || text.front() == '0') return std::nullopt;
  // from_chars would accept a leading '-', and stops quietly at the first non-digit: both are
  // ruled out here so that only one spelling of each id exists (and one cache entry).
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

}  // namespace fourdollar::blog
