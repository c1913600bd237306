// The payload of the NOTIFY a PostgreSQL commit sends on fourdollar_posts, so that other
// instances drop the cached pages of the posts it edited or deleted, and only those:
// "" when the commit only added posts, "edit 3 17" when it edited or deleted posts 3 and 17,
// "edit" when it did and the ids do not fit (PostgreSQL takes payloads under 8000 bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fourdollar::store {

// The posts a commit edited or deleted: empty when none; nullopt when it is not known which.
using EditedPosts = std::optional<std::vector<int64_t>>;

// The payload for a commit that edited or deleted `ids` ("" when `ids` is empty). Pure.
std::string EditNotice(std::span<const int64_t> ids);

// What a payload says; anything but "" or "edit" followed by ids reads as "not known which".
// Pure.
EditedPosts ParseEditNotice(std::string_view payload);

}  // namespace fourdollar::store
