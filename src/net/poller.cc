#include "net/poller.h"

#include <cerrno>

namespace fourdollar::net {

// Streams are io_uring's (a caller asks HasStreams() first): a poller without them refuses.
Status Poller::AddStream(int, IoHandler*) {
  return MakeError(ErrorCode::kUnavailable, "this loop's poller has no streams");
}
IoResult Poller::StreamRead(int, char*, size_t) { return {IoResult::Kind::kError, 0, ENOTSUP}; }
IoResult Poller::StreamWrite(int, const char*, size_t) {
  return {IoResult::Kind::kError, 0, ENOTSUP};
}

}  // namespace fourdollar::net
