// Sizes as people write them on a command line: "512M", "1G", "1.5GiB", "800000000".
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace fourdollar::bench {

// A number (decimals allowed) and an optional unit: K, M, G, T with an optional "B" or "iB",
// all binary (1024) multiples; no unit means bytes. At least 1 MiB, since a server needs that
// much to start. Errors say what was expected.
Result<uint64_t> ParseByteSize(std::string_view text);

}  // namespace fourdollar::bench
