#include "bench/bench_scenarios.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/seed_scenario.h"
#include "scenario/scenario_loader.h"
#include "scenario/scenario_values.h"

namespace fourdollar::bench {

namespace {

constexpr int64_t kQuickStageMs = 4000;
constexpr int64_t kQuickConstantMs = 12000;

std::string Fixed(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

}  // namespace

Result<scenario::ScenarioFile> LoadSeedScenario(const std::string& path, const std::string& token,
                                                const std::string& target, bool quick) {
  scenario::Variables variables;
  variables.values["FOURDOLLAR_WRITE_TOKEN"] = token;
  variables.fallback = scenario::Variables::ProcessEnvironment();
  Result<scenario::ScenarioFile> file =
      path.empty() ? scenario::LoadScenarioText(kSeedScenarioYaml, kBuiltInSeedName, variables)
                   : scenario::LoadScenarioFile(path, variables);
  if (!file) return file;
  file->target = target;
  if (quick) {
    scenario::Execution& execution = file->execution;
    for (scenario::Stage& stage : execution.stages) {
      stage.duration_ms = std::min(stage.duration_ms, kQuickStageMs);
    }
    if (execution.model == scenario::Execution::Model::kConstantVus ||
        execution.model == scenario::Execution::Model::kConstantRate) {
      execution.duration_ms = std::min(execution.duration_ms, kQuickConstantMs);
    }
  }
  return file;
}

Result<scenario::ScenarioFile> LimitStepScenario(const scenario::ScenarioFile& seed, double rate,
                                                 const LimitSettings& settings) {
  scenario::ScenarioFile step = seed;
  step.path = seed.path + " at " + Fixed(rate) + " iterations/s";
  step.execution = scenario::Execution{};
  step.execution.model = scenario::Execution::Model::kConstantRate;
  step.execution.rate = rate;
  step.execution.duration_ms = settings.step_ms;
  // Enough VUs for iterations lasting up to about a second; past that the step breaks anyway.
  step.execution.max_vus = std::clamp<int64_t>(std::llround(rate), 50, 5000);
  // In-flight requests get this long to finish at the end of a step.
  step.timeout_ms = std::min<int64_t>(seed.timeout_ms, settings.step_ms);
  step.thresholds.clear();
  Result<results::Threshold> p95 =
      scenario::ParseThreshold("http_req_duration", "p(95)<" + Fixed(settings.p95_bound_ms));
  if (!p95) return tl::unexpected(p95.error());
  Result<results::Threshold> failed =
      scenario::ParseThreshold("http_req_failed", "rate<" + Fixed(settings.max_failed_fraction));
  if (!failed) return tl::unexpected(failed.error());
  step.thresholds = {*p95, *failed};
  return step;
}

std::string DescribeDuration(int64_t ms) {
  std::string text;
  if (ms >= 60000) {
    text += std::to_string(ms / 60000) + "m";
    ms %= 60000;
    if (ms == 0) return text;
  }
  if (ms % 1000 == 0) return text + std::to_string(ms / 1000) + "s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", static_cast<double>(ms) / 1000.0);
  return text + buf;
}

}  // namespace fourdollar::bench
