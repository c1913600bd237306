// Reads a scenario file (YAML, see docs/scenario-format.md) into a ScenarioFile. Either the
// whole file is valid, or the result is one error naming the file, line, column (1-based) and
// field, e.g. `seed.yaml:14:9: scenarios.writers.flow[0].json: unknown generator ...`.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "scenario/scenario.h"

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

// Loads the file at `path`. `target` may be empty in the result (the caller then requires
// --target); everything else is checked here.
Result<ScenarioFile> LoadScenarioFile(const std::string& path, const Variables& env);

// Loads scenario text; `path_for_messages` prefixes messages and becomes ScenarioFile::path.
Result<ScenarioFile> LoadScenarioText(std::string_view text, const std::string& path_for_messages,
                                      const Variables& env);

}  // namespace fourdollar::scenario
