// The scenarios the bench runs: the seed scenario (the article's test, built in from
// scenarios/seed.yaml unless --scenario names another file), shortened for --quick, and the
// constant-rate steps of the limit search, which reuse its flows.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "bench/limit_search.h"
#include "scenario/scenario.h"

namespace fourdollar::bench {

inline constexpr char kBuiltInSeedName[] = "scenarios/seed.yaml (built in)";

// Loads `path` (empty: the built-in seed scenario) with ${FOURDOLLAR_WRITE_TOKEN} set to
// `token` (other variables come from the environment) and `target` as its target. With
// `quick`, every stage lasts at most 4 s (a constant run at most 12 s).
Result<scenario::ScenarioFile> LoadSeedScenario(const std::string& path, const std::string& token,
                                                const std::string& target, bool quick);

// One step of the limit search: the seed's flows and weights at `rate` iterations per second
// for settings.step_ms, thresholds on p95 and failures from `settings`.
Result<scenario::ScenarioFile> LimitStepScenario(const scenario::ScenarioFile& seed, double rate,
                                                 const LimitSettings& settings);

// 90000 -> "1m30s", 12000 -> "12s", 1500 -> "1.5s".
std::string DescribeDuration(int64_t ms);

}  // namespace fourdollar::bench
