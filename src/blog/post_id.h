// Parsing post ids from URL text.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fourdollar::blog {

// The id written in `text` when it is the canonical decimal form of a positive int64: 1 to 19
// ASCII digits, no sign, no leading zero, at most INT64_MAX. Anything else (empty, "0", "-3",
// "+3", "007", "12a", " 12", a 20-digit number) gives std::nullopt. Pure; thread-safe.
std::optional<int64_t> ParsePostId(std::string_view text);

}  // namespace fourdollar::blog
