// Conditional requests (RFC 9110 section 13): entity tags, HTTP dates, and the If-Match,
// If-None-Match and If-Modified-Since checks a handler runs against its page's validators.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fourdollar::http {

// A strong entity tag for `content`: "\"<16 hex digits>\"", its 64-bit XXH3 hash. The same
// bytes always give the same tag, in every process and on every machine.
std::string StrongEtag(std::string_view content);

// True when the If-None-Match value lists `etag` or is "*" (weak comparison: a W/ prefix on
// either side is ignored). Tags of encoded copies ("...-gzip\"") match their identity tag.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

// True when the If-Match value is "*" or lists `etag` (strong comparison: W/ tags never
// match). Tags of encoded copies match their identity tag.
bool IfMatchMatches(std::string_view header, std::string_view etag);

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate) for a Unix time in seconds.
std::string HttpDate(int64_t unix_seconds);

// The Unix time of an IMF-fixdate; std::nullopt for anything else (obsolete formats are
// treated as absent, which RFC 9110 allows for If-Modified-Since: the full page is sent).
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace fourdollar::http
