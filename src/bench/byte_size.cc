#include "bench/byte_size.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace fourdollar::bench {

Result<uint64_t> ParseByteSize(std::string_view text) {
  auto bad = [&text](std::string_view why) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "\"" + std::string(text) + "\": " + std::string(why) + " (expected e.g. 512M, 1G, 1.5GiB)");
  };
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data() || number < 0 || !std::isfinite(number)) {
    return bad("not a size");
  }
  std::string unit(end, text.data() + text.size());
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.ends_with("IB")) {
    unit.resize(unit.size() - 2);
  } else if (unit.size() > 1 && unit.ends_with("B")) {
    unit.resize(unit.size() - 1);
  }
  double scale = 1;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "K") {
    scale = 1024.0;
  } else if (unit == "M") {
    scale = 1024.0 * 1024;
  } else if (unit == "G") {
    scale = 1024.0 * 1024 * 1024;
  } else if (unit == "T") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return bad("unknown unit");
  }
  double bytes = number * scale;
  if (bytes < 1024.0 * 1024) return bad("less than 1 MiB");
  if (bytes > 1e18) return bad("too large");
  return static_cast<uint64_t>(bytes);
}

}  // namespace fourdollar::bench
