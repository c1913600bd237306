#include "base/result.h"

#include <cstring>

namespace fourdollar {

tl::unexpected<Error> ErrnoError(std::string_view op, int errno_value) {
  std::string message(op);
  message += ": ";
  message += std::strerror(errno_value);
  return MakeError(errno_value == ENOSPC ? ErrorCode::kResourceExhausted : ErrorCode::kIo,
                   std::move(message));
}

}  // namespace fourdollar
