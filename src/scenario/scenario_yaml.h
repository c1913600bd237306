// Internal to the scenario loader (scenario_loader.cc, scenario_steps.cc): reading YAML nodes
// into values, with the first error kept as "file:line:col: field: message".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/result.h"
#include "scenario/scenario.h"
#include "scenario/variables.h"

namespace fourdollar::scenario {

// "parent.key" (or "key" at the top) and "parent[index]".
std::string FieldOf(std::string_view parent, std::string_view key);
std::string IndexOf(std::string_view parent, size_t index);

// Which variables a template may use: those captured by a step before `step` in the flow.
// `first_capture` maps each captured name to the first step that captures it; null outside a
// flow (top-level headers, target), where only --env / environment variables exist.
struct CaptureScope {
  const std::map<std::string, size_t, std::less<>>* first_capture = nullptr;
  size_t step = 0;
};

// Not thread-safe; one per load. Every Read* returns false after recording the error.
class YamlReader {
 public:
  YamlReader(std::string file, const Variables& env) : file_(std::move(file)), env_(env) {}

  bool Fail(const YAML::Node& at, std::string_view field, std::string_view message);
  bool Fail(const YAML::Mark& mark, std::string_view field, std::string_view message);
  Error TakeError() { return std::move(*error_); }
  const std::string& file() const { return file_; }

  // A map whose keys are scalars, each at most once and each in `allowed` (when not empty).
  bool CheckMap(const YAML::Node& node, std::string_view field,
                const std::vector<std::string_view>& allowed);
  bool ReadString(const YAML::Node& node, std::string_view field, std::string* out);
  // `true` or `false`, nothing else (no yes/no, no 1/0).
  bool ReadBool(const YAML::Node& node, std::string_view field, bool* out);
  bool ReadNumber(const YAML::Node& node, std::string_view field, double* out);
  bool ReadInt(const YAML::Node& node, std::string_view field, int64_t min, int64_t max,
               int64_t* out);
  bool ReadDuration(const YAML::Node& node, std::string_view field, int64_t* out_ms);
  // A scalar template; variables are resolved against `scope` and the environment.
  bool ReadTemplate(const YAML::Node& node, std::string_view field, const CaptureScope& scope,
                    Template* out);
  // Resolves kVariable parts of `tmpl`: captured ones stay, the others become literal text from
  // the environment (escaped for JSON where json_escaped). Errors point at `node`.
  bool ResolveVariables(const YAML::Node& node, std::string_view field, const CaptureScope& scope,
                        Template* tmpl);
  // A map of header names to templates, in file order.
  bool ReadHeaders(const YAML::Node& node, std::string_view field, const CaptureScope& scope,
                   std::vector<std::pair<std::string, Template>>* out);

 private:
  std::string file_;
  const Variables& env_;
  std::optional<Error> error_;
};

// Reads one step of a flow (scenario_steps.cc).
bool ReadStep(YamlReader& reader, const YAML::Node& node, std::string_view field,
              const CaptureScope& scope, Step* step);
// The `as:` names the step at `node` captures, for the flow's scope (no validation here).
std::vector<std::string> CapturedNames(const YAML::Node& step_node);

}  // namespace fourdollar::scenario
