// Where the write token comes from, and the token file created at first start.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"

namespace fourdollar::cli {

struct WriteToken {
  std::optional<std::string> token;  // std::nullopt: open writes
  std::string source;                // for the start-up line: "write token in /data/write-token"
};

// Reads `path` if it exists (it must hold one token of 32 to 256 printable characters), or
// creates it (mode 0600, 32 random bytes as 64 hex digits) and its folder (mode 0700).
Result<std::string> LoadOrCreateTokenFile(const std::string& path);

}  // namespace fourdollar::cli
