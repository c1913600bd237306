#include "scenario/scenario_yaml.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "scenario/scenario_values.h"
#include "scenario/template.h"

namespace fourdollar::scenario {
namespace {

bool IsHeaderNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Joined(const std::vector<std::string_view>& words) {
  std::string result;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) result += ", ";
    result += words[i];
  }
  return result;
}

}  // namespace

std::string FieldOf(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string result(parent);
  result += '.';
  result += key;
  return result;
}

std::string IndexOf(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

bool YamlReader::Fail(const YAML::Mark& mark, std::string_view field, std::string_view message) {
  if (error_) return false;
  std::string text = file_;
  if (!mark.is_null()) {
    text += ':';
    text += std::to_string(mark.line + 1);
    text += ':';
    text += std::to_string(mark.column + 1);
  }
  text += ": ";
  if (!field.empty()) {
    text += field;
    text += ": ";
  }
  text += message;
  error_ = Error{ErrorCode::kInvalidArgument, std::move(text)};
  return false;
}

bool YamlReader::Fail(const YAML::Node& at, std::string_view field, std::string_view message) {
  return Fail(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), field, message);
}

bool YamlReader::CheckMap(const YAML::Node& node, std::string_view field,
                          const std::vector<std::string_view>& allowed) {
  if (!node.IsMap()) return Fail(node, field, "expected a map (key: value lines)");
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) return Fail(key, field, "keys must be plain names");
    const std::string& name = key.Scalar();
    if (!seen.insert(name).second) {
      return Fail(key, FieldOf(field, name), "duplicate key");
    }
    if (allowed.empty() || std::find(allowed.begin(), allowed.end(), name) != allowed.end()) {
      continue;
    }
    std::string message = "unknown key \"" + name + "\"";
    if (auto close = ClosestMatch(name, allowed); !close.empty()) {
      message += " (did you mean " + std::string(close) + "?)";
    }
    message += "; expected one of: " + Joined(allowed);
    return Fail(key, FieldOf(field, name), message);
  }
  return true;
}

bool YamlReader::ReadString(const YAML::Node& node, std::string_view field, std::string* out) {
  if (!node.IsScalar()) return Fail(node, field, "expected a string");
  *out = node.Scalar();
  return true;
}

bool YamlReader::ReadBool(const YAML::Node& node, std::string_view field, bool* out) {
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
    *out = node.Scalar() == "true";
    return true;
  }
  return Fail(node, field, "expected true or false");
}

bool YamlReader::ReadNumber(const YAML::Node& node, std::string_view field, double* out) {
  if (!node.IsScalar()) return Fail(node, field, "expected a number");
  std::string_view text = node.Scalar();
  if (text.starts_with('+')) text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(*out)) {
    return Fail(node, field, "expected a number, got \"" + node.Scalar() + "\"");
  }
  return true;
}

bool YamlReader::ReadInt(const YAML::Node& node, std::string_view field, int64_t min, int64_t max,
                         int64_t* out) {
  if (!node.IsScalar()) return Fail(node, field, "expected a whole number");
  std::string_view text = node.Scalar();
  if (text.starts_with('+')) text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Fail(node, field, "expected a whole number, got \"" + node.Scalar() + "\"");
  }
  if (*out < min || *out > max) {
    return Fail(node, field,
                node.Scalar() + " is out of range: expected " + std::to_string(min) + ".." +
                    std::to_string(max));
  }
  return true;
}

bool YamlReader::ReadDuration(const YAML::Node& node, std::string_view field, int64_t* out_ms) {
  if (!node.IsScalar()) return Fail(node, field, "expected a duration such as 30s, 500ms, 1m30s");
  auto duration = ParseDurationMs(node.Scalar());
  if (!duration) return Fail(node, field, duration.error().message);
  *out_ms = *duration;
  return true;
}

bool YamlReader::ReadTemplate(const YAML::Node& node, std::string_view field,
                              const CaptureScope& scope, Template* out) {
  if (!node.IsScalar()) return Fail(node, field, "expected a string");
  auto parsed = ParseTemplate(node.Scalar());
  if (!parsed) return Fail(node, field, parsed.error().message);
  *out = std::move(*parsed);
  return ResolveVariables(node, field, scope, out);
}

bool YamlReader::ResolveVariables(const YAML::Node& node, std::string_view field,
                                  const CaptureScope& scope, Template* tmpl) {
  Template resolved;
  for (TemplatePart& part : tmpl->parts) {
    if (part.kind != TemplatePart::Kind::kVariable) {
      AppendPart(std::move(part), &resolved);
      continue;
    }
    if (scope.first_capture != nullptr) {
      const auto captured = scope.first_capture->find(part.text);
      if (captured != scope.first_capture->end()) {
        if (captured->second < scope.step) {
          AppendPart(std::move(part), &resolved);
          continue;
        }
        return Fail(node, field,
                    "${" + part.text + "} is used before it is captured (by flow[" +
                        std::to_string(captured->second) + "]); a step's captures apply to " +
                        "the steps after it");
      }
    }
    const std::optional<std::string> value = env_.Lookup(part.text);
    if (!value) {
      return Fail(node, field,
                  "undefined variable ${" + part.text + "}: pass --env " + part.text +
                      "=VALUE or set it in the environment");
    }
    std::string literal;
    if (part.json_escaped) {
      AppendJsonEscaped(*value, &literal);
    } else {
      literal = *value;
    }
    AppendLiteral(literal, &resolved);
  }
  *tmpl = std::move(resolved);
  return true;
}

bool YamlReader::ReadHeaders(const YAML::Node& node, std::string_view field,
                             const CaptureScope& scope,
                             std::vector<std::pair<std::string, Template>>* out) {
  if (!CheckMap(node, field, {})) return false;
  for (const auto& entry : node) {
    const std::string& name = entry.first.Scalar();
    const std::string header_field = FieldOf(field, name);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsHeaderNameChar)) {
      return Fail(entry.first, header_field, "not a valid header name");
    }
    Template value;
    if (!ReadTemplate(entry.second, header_field, scope, &value)) return false;
    out->emplace_back(name, std::move(value));
  }
  return true;
}

}  // namespace fourdollar::scenario
