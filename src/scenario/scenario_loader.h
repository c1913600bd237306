// Reads a scenario file (YAML, see docs/scenario-format.md) into a ScenarioFile. Either the
// whole file is valid, or the result is one error naming the file, line, column (1-based) and
// field, e.g. `seed.yaml:14:9: scenarios.writers.flow[0].json: unknown generator ...`.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "scenario/scenario.h"
#include "scenario/variables.h"

namespace fourdollar::scenario {

// Loads the file at `path`. `target` may be empty in the result (the caller then requires
// --target); everything else is checked here.
Result<ScenarioFile> LoadScenarioFile(const std::string& path, const Variables& env);

// Loads scenario text; `path_for_messages` prefixes messages and becomes ScenarioFile::path.
Result<ScenarioFile> LoadScenarioText(std::string_view text, const std::string& path_for_messages,
                                      const Variables& env);

}  // namespace fourdollar::scenario
