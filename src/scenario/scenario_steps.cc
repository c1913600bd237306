// Reading one step of a flow: the request, its captures, check and think time.
#include <algorithm>
#include <array>
#include <regex>

#include <re2/re2.h>

#include "http/url.h"
#include "scenario/capture.h"
#include "scenario/scenario_values.h"
#include "scenario/scenario_yaml.h"
#include "scenario/template.h"

namespace fourdollar::scenario {
namespace {

struct MethodKey {
  std::string_view key;  // as a step key ("get") and, upper-cased, in `request: {method:}`
  std::string_view upper;
  http::Method method;
};

constexpr std::array<MethodKey, 7> kMethods = {{
    {"get", "GET", http::Method::kGet},
    {"post", "POST", http::Method::kPost},
    {"put", "PUT", http::Method::kPut},
    {"delete", "DELETE", http::Method::kDelete},
    {"patch", "PATCH", http::Method::kPatch},
    {"head", "HEAD", http::Method::kHead},
    {"options", "OPTIONS", http::Method::kOptions},
}};

const std::vector<std::string_view> kStepKeys = {
    "get",  "post",    "put",  "delete", "patch",   "head",  "options", "request",
    "name", "headers", "json", "body",   "capture", "check", "think",   "revalidate"};

bool IsVariableName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// YAML 1.2 core schema words for plain scalars, and numbers as JSON writes them.
bool IsYamlNull(std::string_view s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}
bool IsYamlTrue(std::string_view s) { return s == "true" || s == "True" || s == "TRUE"; }
bool IsYamlFalse(std::string_view s) { return s == "false" || s == "False" || s == "FALSE"; }
bool IsJsonNumber(std::string_view s) {
  static const std::regex kNumber(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  return std::regex_match(s.begin(), s.end(), kNumber);
}

bool ReadUrl(YamlReader& reader, const YAML::Node& node, std::string_view field,
             const CaptureScope& scope, Step* step) {
  if (!reader.ReadTemplate(node, field, scope, &step->url)) return false;
  const auto& parts = step->url.parts;
  for (const TemplatePart& part : parts) {
    if (part.kind != TemplatePart::Kind::kLiteral) continue;
    if (std::any_of(part.text.begin(), part.text.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) {
      return reader.Fail(node, field,
                         "the URL contains a space or control character; percent-encode it "
                         "(a space is %20)");
    }
  }
  // Checked on the text after variables from the environment were put in; a URL that starts
  // with a captured variable is checked when it is used.
  if (parts.empty() || parts[0].kind != TemplatePart::Kind::kLiteral) {
    return parts.empty() ? reader.Fail(node, field, "empty URL") : true;
  }
  const std::string& prefix = parts[0].text;
  if (prefix.starts_with("http://") || prefix.starts_with("https://")) {
    if (!step->url.IsLiteral()) return true;
    auto url = http::ParseHttpUrl(prefix);
    return url ? true : reader.Fail(node, field, url.error().message);
  }
  if (!prefix.starts_with('/')) {
    return reader.Fail(node, field, "expected a path starting with / or an http:// URL");
  }
  return true;
}

bool ReadRequest(YamlReader& reader, const YAML::Node& node, std::string_view field,
                 const CaptureScope& scope, Step* step) {
  if (!reader.CheckMap(node, field, {"method", "url"})) return false;
  if (!node["method"] || !node["url"]) {
    return reader.Fail(node, field, "request needs method and url, e.g. {method: GET, url: /}");
  }
  std::string method;
  if (!reader.ReadString(node["method"], FieldOf(field, "method"), &method)) return false;
  std::transform(method.begin(), method.end(), method.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  const auto found = std::find_if(kMethods.begin(), kMethods.end(),
                                  [&](const MethodKey& m) { return m.upper == method; });
  if (found == kMethods.end()) {
    return reader.Fail(node["method"], FieldOf(field, "method"),
                       "unknown method; expected GET, POST, PUT, DELETE, PATCH, HEAD or OPTIONS");
  }
  step->method = found->method;
  return ReadUrl(reader, node["url"], FieldOf(field, "url"), scope, step);
}

// A `json:` value as a body template: literal parts are JSON text; ${...} parts inside strings
// are escaped when expanded. A plain scalar that is only ${random.int(..)}, ${vu} or
// ${iteration} is written as a JSON number.
bool ReadJson(YamlReader& reader, const YAML::Node& node, std::string_view field,
              const CaptureScope& scope, Template* out) {
  if (node.IsNull()) {
    AppendLiteral("null", out);
    return true;
  }
  if (node.IsMap()) {
    if (!reader.CheckMap(node, field, {})) return false;
    AppendLiteral("{", out);
    bool first = true;
    for (const auto& entry : node) {
      std::string key = first ? "\"" : ",\"";
      first = false;
      AppendJsonEscaped(entry.first.Scalar(), &key);
      key += "\":";
      AppendLiteral(key, out);
      if (!ReadJson(reader, entry.second, FieldOf(field, entry.first.Scalar()), scope, out)) {
        return false;
      }
    }
    AppendLiteral("}", out);
    return true;
  }
  if (node.IsSequence()) {
    AppendLiteral("[", out);
    for (size_t i = 0; i < node.size(); ++i) {
      if (i > 0) AppendLiteral(",", out);
      if (!ReadJson(reader, node[i], IndexOf(field, i), scope, out)) return false;
    }
    AppendLiteral("]", out);
    return true;
  }
  const std::string& text = node.Scalar();
  const bool plain = node.Tag() == "?";
  if (plain && IsYamlNull(text)) {
    AppendLiteral("null", out);
    return true;
  }
  if (plain && (IsYamlTrue(text) || IsYamlFalse(text))) {
    AppendLiteral(IsYamlTrue(text) ? "true" : "false", out);
    return true;
  }
  if (plain && IsJsonNumber(text)) {
    AppendLiteral(text, out);
    return true;
  }
  auto parsed = ParseTemplate(text, /*json_escaped=*/true);
  if (!parsed) return reader.Fail(node, field, parsed.error().message);
  const bool numeric_generator = plain && parsed->parts.size() == 1 &&
                                 (parsed->parts[0].kind == TemplatePart::Kind::kRandomInt ||
                                  parsed->parts[0].kind == TemplatePart::Kind::kVu ||
                                  parsed->parts[0].kind == TemplatePart::Kind::kIteration);
  // Literal text is escaped here, before variables from the environment become literal text
  // (escaped by ResolveVariables), so that nothing is escaped twice.
  Template value;
  for (TemplatePart& part : parsed->parts) {
    if (part.kind == TemplatePart::Kind::kLiteral) {
      std::string escaped;
      AppendJsonEscaped(part.text, &escaped);
      AppendLiteral(escaped, &value);
    } else {
      AppendPart(std::move(part), &value);
    }
  }
  if (!reader.ResolveVariables(node, field, scope, &value)) return false;
  if (!numeric_generator) AppendLiteral("\"", out);
  for (TemplatePart& part : value.parts) AppendPart(std::move(part), out);
  if (!numeric_generator) AppendLiteral("\"", out);
  return true;
}

bool ReadOneCapture(YamlReader& reader, const YAML::Node& node, std::string_view field,
                    Capture* capture) {
  if (!reader.CheckMap(node, field, {"regex", "json", "header", "pick", "as"})) return false;
  const int kinds = (node["regex"] ? 1 : 0) + (node["json"] ? 1 : 0) + (node["header"] ? 1 : 0);
  if (kinds != 1) {
    return reader.Fail(node, field, "a capture needs exactly one of regex, json or header");
  }
  const char* kind_key = node["regex"] ? "regex" : node["json"] ? "json" : "header";
  const YAML::Node expression = node[kind_key];
  const std::string expression_field = FieldOf(field, kind_key);
  if (!reader.ReadString(expression, expression_field, &capture->expression)) return false;
  if (capture->expression.empty()) return reader.Fail(expression, expression_field, "is empty");
  if (node["regex"]) {
    capture->kind = Capture::Kind::kRegex;
    // RE2 matches in linear time, without the recursion and backtracking of std::regex.
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_shared<const re2::RE2>(capture->expression, options);
    if (!regex->ok()) {
      return reader.Fail(expression, expression_field,
                         "invalid regular expression: " + regex->error());
    }
    if (regex->NumberOfCapturingGroups() != 1) {
      return reader.Fail(expression, expression_field,
                         "the regex must have exactly one capture group (it has " +
                             std::to_string(regex->NumberOfCapturingGroups()) +
                             "); use (?:...) for the others");
    }
    capture->regex = std::move(regex);
  } else if (node["json"]) {
    capture->kind = Capture::Kind::kJsonPath;
    if (auto path = ParseJsonPath(capture->expression); !path) {
      return reader.Fail(expression, expression_field, path.error().message);
    }
  } else {
    capture->kind = Capture::Kind::kHeader;
  }
  if (const YAML::Node pick = node["pick"]) {
    std::string text;
    if (!reader.ReadString(pick, FieldOf(field, "pick"), &text)) return false;
    if (text == "first") {
      capture->pick = Capture::Pick::kFirst;
    } else if (text == "random") {
      capture->pick = Capture::Pick::kRandom;
    } else if (text == "all") {
      capture->pick = Capture::Pick::kAll;
    } else {
      return reader.Fail(pick, FieldOf(field, "pick"), "expected first, random or all");
    }
  }
  if (!node["as"]) return reader.Fail(node, field, "a capture needs `as: NAME`");
  if (!reader.ReadString(node["as"], FieldOf(field, "as"), &capture->as)) return false;
  if (!IsVariableName(capture->as) || capture->as == "vu" || capture->as == "iteration" ||
      capture->as == "random") {
    return reader.Fail(
        node["as"], FieldOf(field, "as"),
        "expected a variable name (letters, digits, _; not vu, iteration or random)");
  }
  return true;
}

bool ReadCheck(YamlReader& reader, const YAML::Node& node, std::string_view field, Check* check) {
  if (!reader.CheckMap(node, field, {"status", "body_contains"})) return false;
  if (const YAML::Node status = node["status"]) {
    int64_t value = 0;
    if (!reader.ReadInt(status, FieldOf(field, "status"), 100, 599, &value)) return false;
    check->status = static_cast<int>(value);
  }
  if (const YAML::Node contains = node["body_contains"]) {
    const std::string contains_field = FieldOf(field, "body_contains");
    if (contains.IsSequence()) {
      for (size_t i = 0; i < contains.size(); ++i) {
        std::string text;
        if (!reader.ReadString(contains[i], IndexOf(contains_field, i), &text)) return false;
        check->body_contains.push_back(std::move(text));
      }
    } else {
      std::string text;
      if (!reader.ReadString(contains, contains_field, &text)) return false;
      check->body_contains.push_back(std::move(text));
    }
  }
  return true;
}

bool ReadThink(YamlReader& reader, const YAML::Node& node, std::string_view field, Step* step) {
  if (node.IsScalar()) {
    if (!reader.ReadDuration(node, field, &step->think_min_ms)) return false;
    step->think_max_ms = step->think_min_ms;
    return true;
  }
  if (!reader.CheckMap(node, field, {"min", "max"})) return false;
  if (!node["min"] || !node["max"]) {
    return reader.Fail(node, field, "expected a duration or {min: DURATION, max: DURATION}");
  }
  if (!reader.ReadDuration(node["min"], FieldOf(field, "min"), &step->think_min_ms) ||
      !reader.ReadDuration(node["max"], FieldOf(field, "max"), &step->think_max_ms)) {
    return false;
  }
  if (step->think_min_ms > step->think_max_ms) {
    return reader.Fail(node["max"], FieldOf(field, "max"), "max is less than min");
  }
  return true;
}

}  // namespace

bool ReadStep(YamlReader& reader, const YAML::Node& node, std::string_view field,
              const CaptureScope& scope, Step* step) {
  if (!reader.CheckMap(node, field, kStepKeys)) return false;
  std::string request_key;
  for (const auto& entry : node) {
    const std::string& key = entry.first.Scalar();
    const bool is_request =
        key == "request" || std::any_of(kMethods.begin(), kMethods.end(),
                                        [&](const MethodKey& m) { return m.key == key; });
    if (!is_request) continue;
    if (!request_key.empty()) {
      return reader.Fail(entry.first, FieldOf(field, key),
                         "a step makes one request; it already has " + request_key);
    }
    request_key = key;
  }
  if (request_key.empty()) {
    return reader.Fail(node, field,
                       "a step needs one of get, post, put, delete, patch, head, options "
                       "(the URL) or request: {method, url}");
  }
  const YAML::Node request = node[request_key];
  const std::string request_field = FieldOf(field, request_key);
  if (request_key == "request") {
    if (!ReadRequest(reader, request, request_field, scope, step)) return false;
  } else {
    step->method = std::find_if(kMethods.begin(), kMethods.end(), [&](const MethodKey& m) {
                     return m.key == request_key;
                   })->method;
    if (!ReadUrl(reader, request, request_field, scope, step)) return false;
  }
  step->name = request_key == "request" ? request["url"].Scalar() : request.Scalar();
  if (const YAML::Node name = node["name"]) {
    if (!reader.ReadString(name, FieldOf(field, "name"), &step->name)) return false;
    if (step->name.empty()) return reader.Fail(name, FieldOf(field, "name"), "is empty");
  }
  if (const YAML::Node headers = node["headers"]) {
    if (!reader.ReadHeaders(headers, FieldOf(field, "headers"), scope, &step->headers)) {
      return false;
    }
  }
  if (const YAML::Node revalidate = node["revalidate"]) {
    const std::string revalidate_field = FieldOf(field, "revalidate");
    if (!reader.ReadBool(revalidate, revalidate_field, &step->revalidate)) return false;
    if (step->revalidate && step->method != http::Method::kGet &&
        step->method != http::Method::kHead) {
      return reader.Fail(revalidate, revalidate_field,
                         "only get and head steps revalidate (a cache keeps what it GETs)");
    }
    const bool own_header = std::any_of(
        step->headers.begin(), step->headers.end(),
        [](const auto& header) { return http::EqualsIgnoreCase(header.first, "If-None-Match"); });
    if (step->revalidate && own_header) {
      return reader.Fail(revalidate, revalidate_field,
                         "revalidate sends If-None-Match itself; drop the step's If-None-Match "
                         "header or revalidate");
    }
  }
  if (node["json"] && node["body"]) {
    return reader.Fail(node["body"], FieldOf(field, "body"), "give either json or body, not both");
  }
  if (const YAML::Node json = node["json"]) {
    Template body;
    if (!ReadJson(reader, json, FieldOf(field, "json"), scope, &body)) return false;
    step->body = std::move(body);
    step->json = true;
  }
  if (const YAML::Node body = node["body"]) {
    Template text;
    if (!reader.ReadTemplate(body, FieldOf(field, "body"), scope, &text)) return false;
    step->body = std::move(text);
  }
  if (const YAML::Node capture = node["capture"]) {
    const std::string capture_field = FieldOf(field, "capture");
    if (capture.IsSequence()) {
      for (size_t i = 0; i < capture.size(); ++i) {
        Capture one;
        if (!ReadOneCapture(reader, capture[i], IndexOf(capture_field, i), &one)) return false;
        step->captures.push_back(std::move(one));
      }
    } else {
      Capture one;
      if (!ReadOneCapture(reader, capture, capture_field, &one)) return false;
      step->captures.push_back(std::move(one));
    }
  }
  if (const YAML::Node check = node["check"]) {
    if (!ReadCheck(reader, check, FieldOf(field, "check"), &step->check)) return false;
  }
  if (const YAML::Node think = node["think"]) {
    if (!ReadThink(reader, think, FieldOf(field, "think"), step)) return false;
  }
  return true;
}

std::vector<std::string> CapturedNames(const YAML::Node& step_node) {
  std::vector<std::string> names;
  if (!step_node.IsMap()) return names;
  const YAML::Node capture = step_node["capture"];
  if (!capture) return names;
  auto add = [&](const YAML::Node& one) {
    if (one.IsMap() && one["as"] && one["as"].IsScalar()) names.push_back(one["as"].Scalar());
  };
  if (capture.IsSequence()) {
    for (const auto& one : capture) add(one);
  } else {
    add(capture);
  }
  return names;
}

}  // namespace fourdollar::scenario
