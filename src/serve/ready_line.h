// The facts `fourdollar serve` announces once it listens, in its two forms: the ready line on
// stderr, "fourdollar: listening on http[s]://HOST:PORT | store URL | threads N | WRITES", and the
// ready file of --ready-file, the same facts as one JSON object
// {"url","host","port","store","threads","writes","token_file"?}. This is their one writer and
// their one reader; the bench and the end-to-end tests read the line through ParseReadyLine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::serve {

inline constexpr std::string_view kReadyLinePrefix = "fourdollar: listening on ";

struct ReadyLine {
  std::string host;  // "127.0.0.1", "0.0.0.0", "[::1]"
  uint16_t port = 0;
  std::string store;  // the store's own description: "sqlite:/abs/blog.db", "postgres://u@h/db"
  int threads = 0;
  // "write token in PATH", "write token from --write-token" (or FOURDOLLAR_WRITE_TOKEN),
  // "open writes: anyone can post (--open-writes)".
  std::string writes;
  bool tls = false;  // the URL is https://

  std::string url() const;  // "http://127.0.0.1:41234", "https://127.0.0.1:41234"
  // PATH when writes is "write token in PATH".
  std::optional<std::string> token_file() const;
  bool open_writes() const;  // writes starts with "open writes"
};

// The line, without its newline.
std::string FormatReadyLine(const ReadyLine& ready);

// Parses one line (without its newline). An error quotes the line and names what is missing.
Result<ReadyLine> ParseReadyLine(std::string_view line);

// The first complete line of `text` (lines end with '\n') that starts with kReadyLinePrefix, for
// readers of a server's stderr; std::nullopt while there is none yet.
std::optional<std::string_view> FindReadyLine(std::string_view text);

// The ready file's JSON object, on one line.
std::string FormatReadyJson(const ReadyLine& ready);

// Writes FormatReadyJson to `path` atomically: a temporary file in the same folder, then a
// rename, so a reader that sees the file sees all of it.
[[nodiscard]] Status WriteReadyFile(const std::string& path, const ReadyLine& ready);

}  // namespace fourdollar::serve
