// Fuzz target: scenario YAML through the loader `fourdollar load` uses
// (scenario/scenario_loader.h, LoadScenarioText, the same code LoadScenarioFile runs after reading
// the file). A refusal must name the file; an accepted scenario must be one the runner can
// start: scenarios with steps and positive weights, a positive duration, and templates that
// expand.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "scenario/scenario_loader.h"
#include "scenario/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  scenario::Variables env;
  env.values["FOURDOLLAR_WRITE_TOKEN"] = "token";
  env.values["HOST"] = "127.0.0.1:8080";
  Result<scenario::ScenarioFile> file = scenario::LoadScenarioText(text, "fuzz.yaml", env);
  if (!file) {
    fuzz::Check(file.error().message.starts_with("fuzz.yaml"),
                "a refusal does not name the file: " + file.error().message);
    return 0;
  }
  fuzz::Check(!file->scenarios.empty(), "accepted without scenarios");
  fuzz::Check(file->execution.TotalDurationMs() > 0, "accepted a test that lasts no time");
  fuzz::Check(file->timeout_ms > 0, "accepted a timeout that is not positive");
  scenario::Random random(1);
  const scenario::VariableLookup no_captures = [](std::string_view) -> const std::string* {
    return nullptr;
  };
  for (const scenario::Scenario& scenario : file->scenarios) {
    fuzz::Check(!scenario.flow.empty(), "accepted a scenario without steps");
    fuzz::Check(scenario.weight > 0 && std::isfinite(scenario.weight),
                "accepted a weight that is not a positive number");
    for (const scenario::Step& step : scenario.flow) {
      fuzz::Check(step.think_min_ms >= 0 && step.think_min_ms <= step.think_max_ms,
                  "accepted a think time range that is not one");
      scenario::ExpandTemplate(step.url, no_captures, random, 1, 1);
      for (const auto& [name, value] : step.headers) {
        scenario::ExpandTemplate(value, no_captures, random, 1, 1);
      }
      if (step.body) scenario::ExpandTemplate(*step.body, no_captures, random, 1, 1);
    }
  }
  return 0;
}
