// Templates: strings with ${...} parts, parsed once when a scenario loads and expanded for every
// request. The parts are described in scenario.h (TemplatePart); this file parses and expands.
//
// Syntax: `${NAME}` is a variable (letters, digits, '_', not starting with a digit);
// `${random.words(MIN,MAX)}`, `${random.text(MIN,MAX)}`, `${random.int(MIN,MAX)}`,
// `${random.uuid}`, `${vu}` and `${iteration}` are generators; `$${` writes a literal `${`.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "scenario/random.h"
#include "scenario/scenario.h"

namespace fourdollar::scenario {

// Parses `text`. Generators are checked here (an unknown one, or bounds with min > max or out of
// range, is an error whose message names the part); ${NAME} parts become kVariable parts for the
// caller to resolve. With json_escaped, every part that is not literal gets json_escaped = true
// (the text stands inside a JSON string). Adjacent literal text is one part.
Result<Template> ParseTemplate(std::string_view text, bool json_escaped = false);

// Appends literal text to a template, merging it into a literal last part.
void AppendLiteral(std::string_view text, Template* to);
// Appends one part, merging literals.
void AppendPart(TemplatePart part, Template* to);

// The value of a variable captured earlier in the iteration, or nullptr when it has none.
// Called on the hot path: it should not allocate.
using VariableLookup = std::function<const std::string*(std::string_view name)>;

// Appends the expansion of `tmpl` to *out (growing it, never clearing it). Returns false when a
// variable had no value (it expanded to nothing); the caller decides whether to send anyway.
// Thread-safe as long as `random` and `out` are not shared.
bool AppendTemplate(const Template& tmpl, const VariableLookup& captured, Random& random,
                    int64_t vu, int64_t iteration, std::string* out);

// The expansion as a new string; variables without a value expand to nothing.
std::string ExpandTemplate(const Template& tmpl, const VariableLookup& captured, Random& random,
                           int64_t vu, int64_t iteration);

// Appends `text` escaped for the inside of a JSON string: quotes, backslashes and control
// characters (below U+0020) are escaped; other bytes are copied as they are.
void AppendJsonEscaped(std::string_view text, std::string* out);

// The built-in words of random.words and random.text: common English words in lower case.
std::span<const std::string_view> RandomWordList();

}  // namespace fourdollar::scenario
