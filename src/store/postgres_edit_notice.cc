#include "store/postgres_edit_notice.h"

#include <charconv>

namespace fourdollar::store {

namespace {
constexpr std::string_view kEdit = "edit";
constexpr size_t kMaxPayloadBytes = 7900;

bool IsOrigin(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// What follows the origin: "" or "edit" and ids.
EditedPosts ParseEdits(std::string_view payload) {
  if (payload.empty()) return std::vector<int64_t>();
  if (payload.substr(0, kEdit.size()) != kEdit) return std::nullopt;
  std::string_view rest = payload.substr(kEdit.size());
  std::vector<int64_t> ids;
  while (!rest.empty()) {
    if (rest.front() != ' ') return std::nullopt;
    rest.remove_prefix(1);
    int64_t id = 0;
    auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
    if (error != std::errc() || id <= 0) return std::nullopt;
    ids.push_back(id);
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
  }
  if (ids.empty()) return std::nullopt;  // "edit": which posts is not said
  return ids;
}

}  // namespace

std::string EditNotice(std::string_view origin, std::span<const int64_t> ids) {
  std::string payload(origin);
  if (ids.empty()) return payload;
  payload += ' ';
  payload += kEdit;
  const size_t edit_end = payload.size();
  for (int64_t id : ids) {
    payload += ' ';
    payload += std::to_string(id);
    if (payload.size() > kMaxPayloadBytes) return payload.substr(0, edit_end);
  }
  return payload;
}

EditNoticeParsed ParseEditNotice(std::string_view payload) {
  // Without an origin: from a build that sent none.
  if (payload.empty() || payload.starts_with(kEdit)) return {{}, ParseEdits(payload)};
  const size_t space = payload.find(' ');
  std::string_view origin = payload.substr(0, space);
  if (!IsOrigin(origin)) return {{}, std::nullopt};
  return {origin, ParseEdits(space == std::string_view::npos ? "" : payload.substr(space + 1))};
}

}  // namespace fourdollar::store
