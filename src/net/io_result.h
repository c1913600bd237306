// The outcome of one non-blocking read or write on a byte stream (plain TCP or TLS).
#pragma once

#include <cstddef>

namespace fourdollar::net {

struct IoResult {
  enum class Kind { kDone, kWouldBlock, kEof, kError };
  Kind kind = Kind::kDone;
  size_t bytes = 0;
  int error = 0;  // errno with kError from the socket; 0 for a TLS protocol error
};

}  // namespace fourdollar::net
