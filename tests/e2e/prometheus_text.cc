#include "e2e/prometheus_text.h"

#include <cstdlib>

namespace fourdollar::e2e {
namespace {

// Parses `k="v",k2="v2"` (the text between the braces); handles \" and \\ in values.
std::map<std::string, std::string> ParseLabels(std::string_view text) {
  std::map<std::string, std::string> labels;
  size_t i = 0;
  while (i < text.size()) {
    size_t equals = text.find('=', i);
    if (equals == std::string_view::npos || equals + 1 >= text.size() || text[equals + 1] != '"') {
      break;
    }
    std::string key(text.substr(i, equals - i));
    std::string value;
    size_t j = equals + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) ++j;
      value.push_back(text[j]);
    }
    labels[key] = value;
    i = j + 1;
    if (i < text.size() && text[i] == ',') ++i;
  }
  return labels;
}

}  // namespace

std::optional<double> FindSample(std::string_view text, std::string_view name,
                                 const std::map<std::string, std::string>& labels) {
  std::optional<double> total;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? "" : text.substr(end + 1);
    if (line.empty() || line.front() == '#' || !line.starts_with(name)) continue;
    std::string_view rest = line.substr(name.size());
    std::map<std::string, std::string> found;
    if (!rest.empty() && rest.front() == '{') {
      size_t close = rest.rfind('}');
      if (close == std::string_view::npos) continue;
      found = ParseLabels(rest.substr(1, close - 1));
      rest = rest.substr(close + 1);
    }
    if (rest.empty() || rest.front() != ' ') continue;
    bool matches = true;
    for (const auto& [key, value] : labels) {
      auto it = found.find(key);
      matches = matches && it != found.end() && it->second == value;
    }
    if (!matches) continue;
    std::string number(rest.substr(1, rest.find(' ', 1) - 1));
    total = total.value_or(0) + std::strtod(number.c_str(), nullptr);
  }
  return total;
}

}  // namespace fourdollar::e2e
