// The variables a scenario file may use without capturing them: --env flags and, on the command
// line, the process environment.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::scenario {

// The values of ${NAME} resolved when the file loads (names that no capture of the scenario
// sets): first `values` (the --env NAME=VALUE flags), then `fallback` when set.
struct Variables {
  std::map<std::string, std::string, std::less<>> values;
  std::function<std::optional<std::string>(std::string_view name)> fallback;

  std::optional<std::string> Lookup(std::string_view name) const;
  // Adds one "NAME=VALUE" flag; an error when there is no '=' or NAME is not a variable name.
  Status AddFlag(std::string_view name_equals_value);
  // A fallback reading the process environment (getenv), for the command line; tests leave
  // `fallback` empty so they do not depend on the environment.
  static std::function<std::optional<std::string>(std::string_view)> ProcessEnvironment();
};

}  // namespace fourdollar::scenario
