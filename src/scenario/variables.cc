#include "scenario/variables.h"

#include <algorithm>
#include <cstdlib>

namespace fourdollar::scenario {

std::optional<std::string> Variables::Lookup(std::string_view name) const {
  if (const auto it = values.find(name); it != values.end()) return it->second;
  if (fallback) return fallback(name);
  return std::nullopt;
}

Status Variables::AddFlag(std::string_view name_equals_value) {
  const size_t equals = name_equals_value.find('=');
  const std::string_view name = name_equals_value.substr(0, equals);
  const bool valid_name = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                          std::all_of(name.begin(), name.end(), [](char c) {
                            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                   (c >= '0' && c <= '9') || c == '_';
                          });
  if (equals == std::string_view::npos || !valid_name) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--env \"" + std::string(name_equals_value) +
                         "\": expected NAME=VALUE with NAME of letters, digits and _");
  }
  values[std::string(name)] = std::string(name_equals_value.substr(equals + 1));
  return {};
}

std::function<std::optional<std::string>(std::string_view)> Variables::ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace fourdollar::scenario
