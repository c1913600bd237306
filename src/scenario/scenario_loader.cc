#include "scenario/scenario_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "scenario/scenario_connections.h"
#include "scenario/scenario_values.h"
#include "scenario/scenario_yaml.h"

namespace fourdollar::scenario {
namespace {

constexpr int64_t kDefaultMaxVus = 1000;
constexpr int64_t kMaxVus = 1'000'000;
constexpr size_t kMaxFileBytes = 16 * 1024 * 1024;

const std::vector<std::string_view> kTopKeys = {
    "target",     "headers", "scenarios",     "stages", "vus",         "duration",        "arrival",
    "thresholds", "timeout", "max_redirects", "tls",    "connections", "source_addresses"};

bool ReadStages(YamlReader& reader, const YAML::Node& node, std::string_view field,
                bool whole_targets, std::vector<Stage>* stages) {
  if (!node.IsSequence() || node.size() == 0) {
    return reader.Fail(node, field, "expected a list of {duration: 30s, target: N}");
  }
  int64_t total_ms = 0;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string stage_field = IndexOf(field, i);
    const YAML::Node item = node[i];
    if (!reader.CheckMap(item, stage_field, {"duration", "target"})) return false;
    if (!item["duration"] || !item["target"]) {
      return reader.Fail(item, stage_field, "a stage needs duration and target");
    }
    Stage stage;
    if (!reader.ReadDuration(item["duration"], FieldOf(stage_field, "duration"),
                             &stage.duration_ms)) {
      return false;
    }
    if (whole_targets) {
      int64_t vus = 0;
      if (!reader.ReadInt(item["target"], FieldOf(stage_field, "target"), 0, kMaxVus, &vus)) {
        return false;
      }
      stage.target = static_cast<double>(vus);
    } else if (!reader.ReadNumber(item["target"], FieldOf(stage_field, "target"), &stage.target)) {
      return false;
    } else if (stage.target < 0) {
      return reader.Fail(item["target"], FieldOf(stage_field, "target"), "must be >= 0");
    }
    total_ms += stage.duration_ms;
    stages->push_back(stage);
  }
  if (total_ms == 0) return reader.Fail(node, field, "the stages last no time at all");
  return true;
}

bool ReadArrival(YamlReader& reader, const YAML::Node& node, Execution* execution) {
  const std::string field = "arrival";
  if (!reader.CheckMap(
          node, field,
          {"rate", "duration", "stages", "start_rate", "max_vus", "pre_allocated_vus"})) {
    return false;
  }
  execution->max_vus = kDefaultMaxVus;
  if (const YAML::Node max_vus = node["max_vus"]) {
    if (!reader.ReadInt(max_vus, FieldOf(field, "max_vus"), 1, kMaxVus, &execution->max_vus)) {
      return false;
    }
  }
  if (const YAML::Node pre = node["pre_allocated_vus"]) {
    const std::string pre_field = FieldOf(field, "pre_allocated_vus");
    if (!reader.ReadInt(pre, pre_field, 0, kMaxVus, &execution->pre_allocated_vus)) return false;
    if (execution->pre_allocated_vus > execution->max_vus) {
      return reader.Fail(pre, pre_field,
                         "must be at most max_vus (" + std::to_string(execution->max_vus) + ")");
    }
  }
  if (node["stages"]) {
    if (node["rate"] || node["duration"]) {
      return reader.Fail(node["stages"], FieldOf(field, "stages"),
                         "give either rate with duration, or stages (with start_rate)");
    }
    execution->model = Execution::Model::kRampingRate;
    if (const YAML::Node start = node["start_rate"]) {
      if (!reader.ReadNumber(start, FieldOf(field, "start_rate"), &execution->start_rate)) {
        return false;
      }
      if (execution->start_rate < 0) {
        return reader.Fail(start, FieldOf(field, "start_rate"), "must be >= 0");
      }
    }
    return ReadStages(reader, node["stages"], FieldOf(field, "stages"), false, &execution->stages);
  }
  if (!node["rate"] || !node["duration"]) {
    return reader.Fail(node, field,
                       "expected {rate: N, duration: D} or {stages: [...], start_rate: N}");
  }
  if (node["start_rate"]) {
    return reader.Fail(node["start_rate"], FieldOf(field, "start_rate"),
                       "start_rate goes with stages");
  }
  execution->model = Execution::Model::kConstantRate;
  if (!reader.ReadNumber(node["rate"], FieldOf(field, "rate"), &execution->rate)) return false;
  if (execution->rate <= 0) {
    return reader.Fail(node["rate"], FieldOf(field, "rate"), "must be > 0 iterations per second");
  }
  if (!reader.ReadDuration(node["duration"], FieldOf(field, "duration"), &execution->duration_ms)) {
    return false;
  }
  if (execution->duration_ms <= 0) {
    return reader.Fail(node["duration"], FieldOf(field, "duration"), "must be longer than 0");
  }
  return true;
}

bool ReadExecution(YamlReader& reader, const YAML::Node& root, Execution* execution) {
  const bool closed_ramp = static_cast<bool>(root["stages"]);
  const bool closed_constant = root["vus"] || root["duration"];
  const bool open = static_cast<bool>(root["arrival"]);
  if (closed_ramp + closed_constant + open != 1) {
    return reader.Fail(root, "",
                       closed_ramp + closed_constant + open == 0
                           ? "no load given: add stages:, vus: with duration:, or arrival:"
                           : "give only one of stages:, vus: with duration:, or arrival:");
  }
  if (open) return ReadArrival(reader, root["arrival"], execution);
  if (closed_ramp) {
    execution->model = Execution::Model::kRampingVus;
    if (!ReadStages(reader, root["stages"], "stages", true, &execution->stages)) return false;
    for (const Stage& stage : execution->stages) {
      execution->max_vus = std::max(execution->max_vus, static_cast<int64_t>(stage.target));
    }
    return true;
  }
  if (!root["vus"] || !root["duration"]) {
    return reader.Fail(root["vus"] ? root["vus"] : root["duration"],
                       root["vus"] ? "vus" : "duration", "vus and duration go together");
  }
  execution->model = Execution::Model::kConstantVus;
  if (!reader.ReadInt(root["vus"], "vus", 1, kMaxVus, &execution->vus)) return false;
  if (!reader.ReadDuration(root["duration"], "duration", &execution->duration_ms)) return false;
  if (execution->duration_ms <= 0) {
    return reader.Fail(root["duration"], "duration", "must be longer than 0");
  }
  execution->max_vus = execution->vus;
  return true;
}

bool ReadScenarios(YamlReader& reader, const YAML::Node& node, Connections connections,
                   ScenarioFile* file) {
  if (!reader.CheckMap(node, "scenarios", {})) return false;
  if (node.size() == 0) return reader.Fail(node, "scenarios", "no scenarios");
  for (const auto& entry : node) {
    Scenario scenario;
    scenario.name = entry.first.Scalar();
    scenario.connections = connections;
    const std::string field = FieldOf("scenarios", scenario.name);
    const YAML::Node body = entry.second;
    if (!reader.CheckMap(body, field, {"weight", "flow", "connections"})) return false;
    if (const YAML::Node own = body["connections"]) {
      if (!ReadConnections(reader, own, FieldOf(field, "connections"), &scenario.connections)) {
        return false;
      }
    }
    if (const YAML::Node weight = body["weight"]) {
      if (!reader.ReadNumber(weight, FieldOf(field, "weight"), &scenario.weight)) return false;
      if (scenario.weight <= 0) {
        return reader.Fail(weight, FieldOf(field, "weight"), "must be greater than 0");
      }
    }
    const YAML::Node flow = body["flow"];
    const std::string flow_field = FieldOf(field, "flow");
    if (!flow) return reader.Fail(body, field, "a scenario needs a flow: a list of steps");
    if (!flow.IsSequence() || flow.size() == 0) {
      return reader.Fail(flow, flow_field, "expected a non-empty list of steps");
    }
    std::map<std::string, size_t, std::less<>> first_capture;
    for (size_t i = 0; i < flow.size(); ++i) {
      for (std::string& name : CapturedNames(flow[i])) first_capture.emplace(std::move(name), i);
    }
    for (size_t i = 0; i < flow.size(); ++i) {
      Step step;
      if (!ReadStep(reader, flow[i], IndexOf(flow_field, i), CaptureScope{&first_capture, i},
                    &step)) {
        return false;
      }
      scenario.flow.push_back(std::move(step));
    }
    file->scenarios.push_back(std::move(scenario));
  }
  return true;
}

bool ReadThresholds(YamlReader& reader, const YAML::Node& node, ScenarioFile* file) {
  if (!reader.CheckMap(node, "thresholds", {})) return false;
  std::vector<std::string_view> names;
  for (const Scenario& scenario : file->scenarios) {
    for (const Step& step : scenario.flow) names.push_back(step.name);
  }
  for (const auto& entry : node) {
    const std::string& key = entry.first.Scalar();
    const std::string field = FieldOf("thresholds", key);
    std::vector<YAML::Node> expressions;
    if (entry.second.IsSequence()) {
      for (const auto& item : entry.second) expressions.push_back(item);
    } else {
      expressions.push_back(entry.second);
    }
    for (const YAML::Node& expression : expressions) {
      std::string text;
      if (!reader.ReadString(expression, field, &text)) return false;
      auto threshold = ParseThreshold(key, text);
      if (!threshold) {
        // Messages about the expression start with it; the others are about the key.
        const bool key_error = threshold.error().message.find("threshold \"") != 0;
        return reader.Fail(key_error ? entry.first : expression, field, threshold.error().message);
      }
      if (!threshold->name_filter.empty() &&
          std::find(names.begin(), names.end(), threshold->name_filter) == names.end()) {
        std::string message = "no step is named \"" + threshold->name_filter + "\"";
        if (auto close = ClosestMatch(threshold->name_filter, names); !close.empty()) {
          message += " (did you mean " + std::string(close) + "?)";
        }
        return reader.Fail(entry.first, field, message);
      }
      file->thresholds.push_back(std::move(*threshold));
    }
  }
  return true;
}

bool ReadFile(YamlReader& reader, const YAML::Node& root, ScenarioFile* file) {
  if (!root.IsDefined() || root.IsNull()) {
    return reader.Fail(YAML::Mark::null_mark(), "", "the file is empty");
  }
  if (!reader.CheckMap(root, "", kTopKeys)) return false;
  if (const YAML::Node target = root["target"]) {
    Template text;
    if (!reader.ReadTemplate(target, "target", CaptureScope{}, &text)) return false;
    if (!text.IsLiteral()) return reader.Fail(target, "target", "generators cannot be used here");
    const std::string expanded = text.parts.empty() ? "" : text.parts[0].text;
    auto normalized = NormalizeTarget(expanded);
    if (!normalized) return reader.Fail(target, "target", normalized.error().message);
    file->target = std::move(*normalized);
  }
  if (const YAML::Node headers = root["headers"]) {
    if (!reader.ReadHeaders(headers, "headers", CaptureScope{}, &file->default_headers)) {
      return false;
    }
  }
  Connections connections = Connections::kKeepAlive;
  if (const YAML::Node node = root["connections"]) {
    if (!ReadConnections(reader, node, "connections", &connections)) return false;
  }
  if (const YAML::Node node = root["tls"]) {
    if (!ReadTls(reader, node, &file->tls)) return false;
  }
  if (const YAML::Node node = root["source_addresses"]) {
    if (!ReadSourceAddresses(reader, node, &file->source_addresses)) return false;
  }
  if (!root["scenarios"]) return reader.Fail(root, "", "no scenarios: add scenarios:");
  if (!ReadScenarios(reader, root["scenarios"], connections, file)) return false;
  if (!ReadExecution(reader, root, &file->execution)) return false;
  if (const YAML::Node thresholds = root["thresholds"]) {
    if (!ReadThresholds(reader, thresholds, file)) return false;
  }
  if (const YAML::Node timeout = root["timeout"]) {
    if (!reader.ReadDuration(timeout, "timeout", &file->timeout_ms)) return false;
    if (file->timeout_ms <= 0) return reader.Fail(timeout, "timeout", "must be longer than 0");
  }
  if (const YAML::Node redirects = root["max_redirects"]) {
    int64_t value = 0;
    if (!reader.ReadInt(redirects, "max_redirects", 0, 100, &value)) return false;
    file->max_redirects = static_cast<int>(value);
  }
  return true;
}

}  // namespace

Result<ScenarioFile> LoadScenarioFile(const std::string& path, const Variables& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kNotFound, path + ": cannot read: " + std::strerror(errno));
  }
  // Read in chunks: sizing a buffer to the limit up front would touch 16 MiB for every run.
  std::string text;
  char chunk[64 * 1024];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) break;
  }
  if (in.bad()) return MakeError(ErrorCode::kIo, path + ": cannot read: " + std::strerror(errno));
  if (text.size() > kMaxFileBytes) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": larger than 16 MiB");
  }
  return LoadScenarioText(text, path, env);
}

namespace {

// The first line (1-based) up to `last_line` whose indentation holds a tab; 0 when none does.
int TabIndentedLine(std::string_view text, int last_line) {
  int line = 1;
  bool in_indent = true;
  for (char c : text) {
    if (line > last_line) break;
    if (c == '\n') {
      ++line;
      in_indent = true;
    } else if (in_indent && c == '\t') {
      return line;
    } else if (c != ' ') {
      in_indent = false;
    }
  }
  return 0;
}

}  // namespace

Result<ScenarioFile> LoadScenarioText(std::string_view text, const std::string& path_for_messages,
                                      const Variables& env) {
  YamlReader reader(path_for_messages, env);
  ScenarioFile file;
  file.path = path_for_messages;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!ReadFile(reader, root, &file)) return tl::unexpected(reader.TakeError());
  } catch (const YAML::Exception& e) {
    std::string message = e.msg;
    // yaml-cpp reports a tab in the indentation as a bad map or sequence; say what it is.
    if (const int line = TabIndentedLine(text, e.mark.line + 1); line > 0) {
      message +=
          " (line " + std::to_string(line) + " is indented with a tab: YAML indents with spaces)";
    }
    reader.Fail(e.mark, "", message);
    return tl::unexpected(reader.TakeError());
  }
  return file;
}

}  // namespace fourdollar::scenario
