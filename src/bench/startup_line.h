// The line `fourdollar serve` prints on stderr once it listens:
// "fourdollar: listening on http://HOST:PORT | store URL | threads N | WRITES".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::bench {

inline constexpr std::string_view kStartupPrefix = "fourdollar: listening on ";

struct StartupLine {
  std::string url;                        // "http://127.0.0.1:41234"
  std::optional<std::string> token_file;  // set when WRITES is "write token in PATH"
  bool open_writes = false;               // WRITES starts with "open writes"
};

// Parses one line (without its newline). An error quotes the line and names what is missing.
Result<StartupLine> ParseStartupLine(std::string_view line);

}  // namespace fourdollar::bench
