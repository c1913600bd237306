// Reads a file as a sequence of text chunks, fast: a plain file is mapped into memory and
// handed over whole; a gzip file (recognised by its magic bytes 1f 8b, whatever its name) is
// inflated with zlib in steps of up to 8 MiB, several concatenated members included.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::report {

// Called with the text not yet consumed followed by new text; returns how many bytes of it it
// consumed (the rest is handed over again, followed by more). `final` is true on the last
// call: nothing follows, so everything should be consumed.
using ChunkConsumer = std::function<size_t(std::string_view text, bool final)>;

// Errors name the file: cannot open or map it, corrupt or truncated gzip data. An empty file
// gives one call with empty text and final = true.
Status ReadChunks(const std::string& path, const ChunkConsumer& consume);

}  // namespace fourdollar::report
