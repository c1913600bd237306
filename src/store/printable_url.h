// Store URLs as they may appear in messages and logs.
#pragma once

#include <string>
#include <string_view>

namespace fourdollar::store {

// The URL with the password of "scheme://user:password@host..." replaced by "***".
std::string ElidePassword(std::string_view url);

}  // namespace fourdollar::store
