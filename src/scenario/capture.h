// Captures: values taken from a response (a regex group in the body, a JSON value, a header) and
// kept as variables for the rest of the iteration.
#pragma once

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
// Thread-safe as long as `random` is not shared (std::regex matching is const).
std::optional<std::string> ApplyCapture(const Capture& capture, int status,
                                        const std::vector<http::Header>& headers,
                                        std::string_view body, Random& random);

// One step of a JSON path: an object member or an array index.
struct JsonPathStep {
  std::string member;  // when index < 0
  int64_t index = -1;
};

// Parses "items[0].id", "[2]", "a.b.c": dotted member names (any characters but '.' and '['),
// each followed by any number of [index]. The message says what is wrong.
Result<std::vector<JsonPathStep>> ParseJsonPath(std::string_view path);

}  // namespace fourdollar::scenario
