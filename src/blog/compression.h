// The compressed copies of a rendered page, made once when it is rendered (never per request).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fourdollar::blog {

// gzip (RFC 1952) of `data` with zlib at level 6, or "" when it fails or is no smaller.
std::string GzipCompress(std::string_view data);

// Brotli (RFC 7932) of `data` with libbrotlienc at quality 5, or "" when it fails or is no
// smaller. Quality 5 compresses HTML within a few percent of 11 at gzip's speed; pages are
// compressed again whenever a list page is re-rendered after a write, so speed matters.
std::string BrotliCompress(std::string_view data);

}  // namespace fourdollar::blog
