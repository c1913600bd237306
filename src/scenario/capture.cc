#include "scenario/capture.h"

#include <re2/re2.h>
#include <charconv>

#include <boost/json.hpp>

namespace fourdollar::scenario {
namespace {

std::optional<std::string> PickFrom(std::vector<std::string> values, Capture::Pick pick,
                                    Random& random) {
  if (values.empty()) return std::nullopt;
  switch (pick) {
    case Capture::Pick::kFirst:
      return std::move(values.front());
    case Capture::Pick::kRandom:
      return std::move(values[random.Pick(values.size())]);
    case Capture::Pick::kAll:
      break;
  }
  std::string joined;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) joined.push_back(',');
    joined.append(values[i]);
  }
  return joined;
}

// The offset and length of the first group of every match (of the first match only with
// Pick::kFirst).
void SearchGroups(const Capture& capture, std::string_view body,
                  std::vector<std::pair<size_t, size_t>>* groups) {
  groups->clear();
  re2::StringPiece input(body.data(), body.size());
  re2::StringPiece group;
  while (re2::RE2::FindAndConsume(&input, *capture.regex, &group)) {
    groups->emplace_back(static_cast<size_t>(group.data() - body.data()), group.size());
    if (capture.pick == Capture::Pick::kFirst) break;
    if (group.empty() && !input.empty()) input.remove_prefix(1);  // an empty match moves on
  }
}

std::optional<std::string> CaptureRegex(const Capture& capture, std::string_view body,
                                        Random& random, CaptureMemo* memo) {
  std::vector<std::pair<size_t, size_t>> searched;
  const std::vector<std::pair<size_t, size_t>>* groups = &searched;
  if (memo != nullptr) {
    groups = &memo->Groups(capture, body);
  } else {
    SearchGroups(capture, body, &searched);
  }
  auto text = [&](const std::pair<size_t, size_t>& at) {
    return std::string(body.substr(at.first, at.second));
  };
  if (groups->empty()) return std::nullopt;
  if (capture.pick == Capture::Pick::kFirst) return text(groups->front());
  if (capture.pick == Capture::Pick::kRandom) return text((*groups)[random.Pick(groups->size())]);
  std::vector<std::string> values;
  values.reserve(groups->size());
  for (const auto& at : *groups) values.push_back(text(at));
  return PickFrom(std::move(values), capture.pick, random);
}

std::string ValueText(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  return boost::json::serialize(value);
}

std::optional<std::string> CaptureJson(const Capture& capture, std::string_view body,
                                       Random& random) {
  auto path = ParseJsonPath(capture.expression);
  if (!path) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec);
  if (ec) return std::nullopt;
  const boost::json::value* at = &root;
  for (const JsonPathStep& step : *path) {
    if (step.index >= 0) {
      const auto* array = at->if_array();
      if (array == nullptr || static_cast<size_t>(step.index) >= array->size()) return std::nullopt;
      at = &(*array)[static_cast<size_t>(step.index)];
    } else {
      const auto* object = at->if_object();
      if (object == nullptr) return std::nullopt;
      at = object->if_contains(step.member);
      if (at == nullptr) return std::nullopt;
    }
  }
  if (const auto* array = at->if_array()) {
    std::vector<std::string> values;
    for (const auto& element : *array) values.push_back(ValueText(element));
    return PickFrom(std::move(values), capture.pick, random);
  }
  return ValueText(*at);
}

std::optional<std::string> CaptureHeader(const Capture& capture,
                                         const std::vector<http::Header>& headers, Random& random) {
  std::vector<std::string> values;
  for (const http::Header& header : headers) {
    if (http::EqualsIgnoreCase(header.name, capture.expression)) values.push_back(header.value);
  }
  return PickFrom(std::move(values), capture.pick, random);
}

}  // namespace

std::optional<std::string> ApplyCapture(const Capture& capture, int status,
                                        const std::vector<http::Header>& headers,
                                        std::string_view body, Random& random, CaptureMemo* memo) {
  if (status >= 400) return std::nullopt;
  switch (capture.kind) {
    case Capture::Kind::kRegex:
      return CaptureRegex(capture, body, random, memo);
    case Capture::Kind::kJsonPath:
      return CaptureJson(capture, body, random);
    case Capture::Kind::kHeader:
      return CaptureHeader(capture, headers, random);
  }
  return std::nullopt;
}

const std::vector<std::pair<size_t, size_t>>& CaptureMemo::Groups(const Capture& capture,
                                                                  std::string_view body) {
  if (body.size() > kMaxBodyBytes) {
    ++misses_;
    SearchGroups(capture, body, &scratch_);
    return scratch_;
  }
  Entry* entry = nullptr;
  for (Entry& candidate : entries_) {
    if (candidate.capture == &capture) entry = &candidate;
  }
  if (entry == nullptr) {
    entry = &entries_.emplace_back();
    entry->capture = &capture;
  } else if (entry->body == body) {
    ++hits_;
    return entry->groups;
  }
  ++misses_;
  entry->body.assign(body);
  SearchGroups(capture, body, &entry->groups);
  return entry->groups;
}

Result<std::vector<JsonPathStep>> ParseJsonPath(std::string_view path) {
  std::vector<JsonPathStep> steps;
  size_t at = 0;
  if (path.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty JSON path");
  while (at < path.size()) {
    if (path[at] == '[') {
      const size_t close = path.find(']', at);
      JsonPathStep step;
      const char* first = path.data() + at + 1;
      const char* last = path.data() + (close == std::string_view::npos ? path.size() : close);
      const auto [end, ec] = std::from_chars(first, last, step.index);
      if (close == std::string_view::npos || ec != std::errc() || end != last || step.index < 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "JSON path \"" + std::string(path) +
                             "\": expected [N] with a non-negative index at offset " +
                             std::to_string(at));
      }
      steps.push_back(std::move(step));
      at = close + 1;
      if (at < path.size() && path[at] == '.') {
        ++at;
        if (at == path.size()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "JSON path \"" + std::string(path) + "\" ends with '.'");
        }
      }
      continue;
    }
    const size_t end = path.find_first_of(".[", at);
    const std::string_view member = path.substr(at, end - at);
    if (member.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "JSON path \"" + std::string(path) +
                                                        "\": empty member name at offset " +
                                                        std::to_string(at));
    }
    JsonPathStep step;
    step.member = std::string(member);
    steps.push_back(std::move(step));
    at = end == std::string_view::npos ? path.size() : end;
    if (at < path.size() && path[at] == '.') {
      ++at;
      if (at == path.size()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "JSON path \"" + std::string(path) + "\" ends with '.'");
      }
    }
  }
  return steps;
}

}  // namespace fourdollar::scenario
