// Content negotiation of Accept-Encoding (RFC 9110 12.5.3): which of the codings a response is
// available in the client prefers. Pure; thread-safe.
#pragma once

#include <string_view>

namespace fourdollar::http {

enum class ContentCoding { kIdentity, kGzip, kBrotli };

// The coding to send, among identity and those available (`gzip`, `br`): the one with the
// highest q-value ("*" stands for codings not named; q=0 refuses a coding), br before gzip
// before identity when tied. Identity when the header is empty or names nothing available.
ContentCoding ChooseCoding(std::string_view accept_encoding, bool gzip_available,
                           bool br_available);

}  // namespace fourdollar::http
