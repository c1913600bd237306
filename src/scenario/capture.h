// Captures: values taken from a response (a regex group in the body, a JSON value, a header) and
// kept as variables for the rest of the iteration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"
#include "scenario/random.h"
#include "scenario/scenario.h"

namespace fourdollar::scenario {

// Applies `capture` to a final response (after redirects). Returns the value, or nullopt when
// nothing matched (the engine counts that as a failed check) or when the status is 400 or more
// (an error page holds nothing the flow expects).
//  - kRegex: the first group of every match in the body; pick chooses one (first or random) or
//    joins all with ",".
//  - kJsonPath: the value at the path in the JSON body; strings as they are, other values as
//    JSON text. When the path ends on an array, pick chooses among its elements.
//  - kHeader: the headers with that name (case-insensitive); pick chooses among them.
// Thread-safe as long as `random` and `memo` are not shared (RE2 matching is const).
class CaptureMemo;
std::optional<std::string> ApplyCapture(const Capture& capture, int status,
                                        const std::vector<http::Header>& headers,
                                        std::string_view body, Random& random,
                                        CaptureMemo* memo = nullptr);

// What each regex capture found in the last body it searched, kept by one load thread. A load
// test reads the same cached page again and again, and the same bytes hold the same matches:
// a body equal to the last one costs a comparison instead of a search (the regex was about a
// tenth of the generator's CPU on the seed flows, whose every list page is searched). The
// value picked is the same with or without the memo, random draws included.
class CaptureMemo {
 public:
  // Bodies longer than this are searched every time (the memo keeps a copy of each body).
  static constexpr size_t kMaxBodyBytes = 64 * 1024;

  // The groups' offsets and lengths in `body` that `capture` finds there (all of them, or the
  // first only when it picks the first), searched or remembered.
  const std::vector<std::pair<size_t, size_t>>& Groups(const Capture& capture,
                                                       std::string_view body);

  uint64_t hits() const { return hits_; }      // bodies equal to the last one
  uint64_t misses() const { return misses_; }  // bodies searched

 private:
  struct Entry {
    const Capture* capture = nullptr;
    std::string body;
    std::vector<std::pair<size_t, size_t>> groups;
  };
  std::vector<Entry> entries_;                      // one per capture of the scenario file: a few
  std::vector<std::pair<size_t, size_t>> scratch_;  // a body too long to keep
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

// One step of a JSON path: an object member or an array index.
struct JsonPathStep {
  std::string member;  // when index < 0
  int64_t index = -1;
};

// Parses "items[0].id", "[2]", "a.b.c": dotted member names (any characters but '.' and '['),
// each followed by any number of [index]. The message says what is wrong.
Result<std::vector<JsonPathStep>> ParseJsonPath(std::string_view path);

}  // namespace fourdollar::scenario
