#include "bench/bench_scenarios.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/seed_scenario.inc"
#include "load/scenario_loader.h"
#include "load/scenario_values.h"

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

Result<load::ScenarioFile> LoadSeedScenario(const std::string& path, const std::string& token,
                                            const std::string& target, bool quick) {
  load::Variables variables;
  variables.values["FOURDOLLAR_WRITE_TOKEN"] = token;
  variables.fallback = load::Variables::ProcessEnvironment();
  Result<load::ScenarioFile> file =
      path.empty() ? load::LoadScenarioText(kSeedScenarioYaml, kBuiltInSeedName, variables)
                   : load::LoadScenarioFile(path, variables);
  if (!file) return file;
  file->target = target;
  if (quick) {
    load::Execution& execution = file->execution;
    for (load::Stage& stage : execution.stages) {
      stage.duration_ms = std::min(stage.duration_ms, kQuickStageMs);
    }
    if (execution.model == load::Execution::Model::kConstantVus ||
        execution.model == load::Execution::Model::kConstantRate) {
      execution.duration_ms = std::min(execution.duration_ms, kQuickConstantMs);
    }
  }
  return file;
}

Result<load::ScenarioFile> LimitStepScenario(const load::ScenarioFile& seed, double rate,
                                             const LimitSettings& settings) {
  load::ScenarioFile step = seed;
  step.path = seed.path + " at " + Fixed(rate) + " iterations/s";
  step.execution = load::Execution{};
  step.execution.model = load::Execution::Model::kConstantRate;
  step.execution.rate = rate;
  step.execution.duration_ms = settings.step_ms;
  // Enough VUs for iterations lasting up to about a second; past that the step breaks anyway.
  step.execution.max_vus = std::clamp<int64_t>(std::llround(rate), 50, 5000);
  // In-flight requests get this long to finish at the end of a step.
  step.timeout_ms = std::min<int64_t>(seed.timeout_ms, settings.step_ms);
  step.thresholds.clear();
  Result<results::Threshold> p95 =
      load::ParseThreshold("http_req_duration", "p(95)<" + Fixed(settings.p95_bound_ms));
  if (!p95) return tl::unexpected(p95.error());
  Result<results::Threshold> failed =
      load::ParseThreshold("http_req_failed", "rate<" + Fixed(settings.max_failed_fraction));
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
