// The payload of the NOTIFY a PostgreSQL commit sends on fourdollar_posts, so that other
// instances drop the cached pages of the posts it edited or deleted, and only those. It starts
// with the sending instance's origin (hexadecimal digits, drawn at each start), which the
// sender's own listener skips: the writer has already counted its commit. Then nothing when the
// commit only added posts, " edit 3 17" when it edited or deleted posts 3 and 17, " edit" when
// it did and the ids do not fit (PostgreSQL takes payloads under 8000 bytes). Payloads without
// an origin ("", "edit 3 17") read as from another instance.
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

// The payload for a commit from `origin` (hexadecimal digits) that edited or deleted `ids`
// (none: the origin alone). Pure.
std::string EditNotice(std::string_view origin, std::span<const int64_t> ids);

struct EditNoticeParsed {
  std::string_view origin;  // of the sender, into the payload; empty when the payload has none
  EditedPosts edited;
};
// What a payload says; what does not read as above reads as "not known which" from another
// instance. Pure.
EditNoticeParsed ParseEditNotice(std::string_view payload);

}  // namespace fourdollar::store
