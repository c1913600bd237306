// The token file created at first start in the data folder.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"

namespace fourdollar::serve {

// Reads `path` if it exists (it must hold one token of 32 to 256 printable characters), or
// creates it (mode 0600, 32 random bytes as 64 hex digits) and its folder (mode 0700).
Result<std::string> LoadOrCreateTokenFile(const std::string& path);

}  // namespace fourdollar::serve
