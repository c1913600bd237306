#include "store/postgres_edit_notice.h"

#include <charconv>

namespace fourdollar::store {

namespace {
constexpr std::string_view kEdit = "edit";
constexpr size_t kMaxPayloadBytes = 7900;
}  // namespace

std::string EditNotice(std::span<const int64_t> ids) {
  if (ids.empty()) return "";
  std::string payload(kEdit);
  for (int64_t id : ids) {
    payload += ' ';
    payload += std::to_string(id);
    if (payload.size() > kMaxPayloadBytes) return std::string(kEdit);
  }
  return payload;
}

EditedPosts ParseEditNotice(std::string_view payload) {
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

}  // namespace fourdollar::store
