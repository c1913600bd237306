// Fuzz target: bytes a server sends back on one connection, through the load generator's
// response parser (http/response_parser.h) used as the client connection uses it: bytes not
// consumed are fed again with more appended, Reset between responses, FeedEof when the peer
// closes. The first input byte picks how the rest arrives (bits 0-3: pieces of 1..15 bytes, 0
// for all at once) and which responses answer a HEAD request (bits 4-7, cycling). The same
// bytes fed all at once and fed in pieces must give the same responses.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/response_parser.h"

namespace fourdollar::fuzz {
namespace {

constexpr size_t kMaxResponses = 64;

struct Outcome {
  std::vector<http::ClientResponse> responses;
  bool error = false;  // the last response was malformed or cut short

  bool operator==(const Outcome& other) const {
    if (error != other.error || responses.size() != other.responses.size()) return false;
    for (size_t i = 0; i < responses.size(); ++i) {
      const http::ClientResponse& a = responses[i];
      const http::ClientResponse& b = other.responses[i];
      if (a.status != b.status || a.body != b.body || a.keep_alive != b.keep_alive ||
          a.headers.size() != b.headers.size()) {
        return false;
      }
      for (size_t h = 0; h < a.headers.size(); ++h) {
        if (a.headers[h].name != b.headers[h].name || a.headers[h].value != b.headers[h].value) {
          return false;
        }
      }
    }
    return true;
  }
};

Outcome Parse(std::string_view stream, size_t piece_bytes, uint8_t head_bits) {
  Outcome outcome;
  http::ResponseParser parser;
  auto is_head = [head_bits](size_t index) { return ((head_bits >> (index % 4)) & 1) != 0; };
  parser.Reset(is_head(0));
  std::string pending;
  size_t offset = 0;
  while (outcome.responses.size() < kMaxResponses) {
    if (offset >= stream.size()) {
      // The peer closed.
      if (parser.started()) {
        if (parser.FeedEof() == http::ResponseParser::State::kComplete) {
          outcome.responses.push_back(parser.TakeResponse());
        } else {
          outcome.error = true;
        }
      }
      break;
    }
    const size_t n =
        piece_bytes == 0 ? stream.size() - offset : std::min(piece_bytes, stream.size() - offset);
    pending.append(stream.substr(offset, n));
    offset += n;
    // Complete responses may wait in what arrived: parse them all before reading on.
    bool closed = false;
    while (!pending.empty() && outcome.responses.size() < kMaxResponses) {
      size_t consumed = 0;
      const http::ResponseParser::State state = parser.Feed(pending, &consumed);
      Check(consumed <= pending.size(), "the parser consumed more than it was given");
      pending.erase(0, consumed);
      if (state == http::ResponseParser::State::kError) {
        Check(!parser.ErrorReason().empty(), "a parse error without a reason");
        outcome.error = true;
        closed = true;
        break;
      }
      if (state == http::ResponseParser::State::kNeedMore) break;
      http::ClientResponse response = parser.TakeResponse();
      Check(response.status >= 0 && response.status <= 999, "a status beyond three digits");
      const bool keep_alive = response.keep_alive;
      outcome.responses.push_back(std::move(response));
      if (!keep_alive) {
        closed = true;
        break;
      }
      parser.Reset(is_head(outcome.responses.size()));
    }
    if (closed) break;
  }
  return outcome;
}

}  // namespace
}  // namespace fourdollar::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar;
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t piece_bytes = control & 0x0F;
  const uint8_t head_bits = control >> 4;
  fuzz::Outcome whole = fuzz::Parse(stream, 0, head_bits);
  if (piece_bytes != 0) {
    fuzz::Outcome pieces = fuzz::Parse(stream, piece_bytes, head_bits);
    fuzz::Check(pieces == whole, "responses differ when the bytes arrive in pieces");
  }
  return 0;
}
