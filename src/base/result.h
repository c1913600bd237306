// Errors as values across module boundaries.
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include <tl/expected.hpp>

namespace fourdollar {

enum class ErrorCode {
  kInvalidArgument,     // the caller's input is wrong; the message says which part
  kNotFound,            // the thing asked for does not exist
  kGone,                // the thing asked for existed and was deleted
  kFailedPrecondition,  // the thing changed since the caller last saw it
  kUnavailable,         // try again later (a store restarting, a queue full)
  kResourceExhausted,   // out of space or memory
  kIo,                  // the operating system refused an operation
  kInternal,            // a bug or a corrupt state
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

// A value or the error. Dropping one unread is a compile error ([[nodiscard]], warnings are
// errors): handle it, or cast it to void with a comment saying why ignoring it is right.
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  // Implicit on purpose: from what tl::expected's operations (map, and_then...) return.
  Result(const tl::expected<T, Error>& other) : tl::expected<T, Error>(other) {}
  Result(tl::expected<T, Error>&& other) : tl::expected<T, Error>(std::move(other)) {}
};

}  // namespace fourdollar

// tl::expected's and_then accepts a function returning an expected: a Result is one.
namespace tl::detail {
template <typename T>
struct is_expected_impl<fourdollar::Result<T>> : std::true_type {};
}  // namespace tl::detail

namespace fourdollar {

// A Result with no value: success, or the error.
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// "op: strerror(errno)", for errors from system calls.
tl::unexpected<Error> ErrnoError(std::string_view op, int errno_value);

}  // namespace fourdollar
