// Errors as values across module boundaries.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace fourdollar {

enum class ErrorCode {
  kInvalidArgument,    // the caller's input is wrong; the message says which part
  kNotFound,           // the thing asked for does not exist
  kUnavailable,        // try again later (a store restarting, a queue full)
  kResourceExhausted,  // out of space or memory
  kIo,                 // the operating system refused an operation
  kInternal,           // a bug or a corrupt state
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

// A Result with no value: success, or the error.
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// "op: strerror(errno)", for errors from system calls.
tl::unexpected<Error> ErrnoError(std::string_view op, int errno_value);

}  // namespace fourdollar
