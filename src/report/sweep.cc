#include "report/sweep.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <boost/json.hpp>

namespace fourdollar::report {
namespace {

namespace json = boost::json;

double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

bool Steady(int64_t second, int64_t step_ms, int skip_seconds) {
  return second >= skip_seconds && second < std::max<int64_t>(skip_seconds + 1, step_ms / 1000);
}

json::object StepJson(const StepFigures& s) {
  return json::object{{"dir", s.dir},
                      {"offered_rate", s.offered_rate},
                      {"offered_rps", s.offered_rps},
                      {"achieved_rps", s.achieved_rps},
                      {"p50_ms", s.p50_ms},
                      {"p95_ms", s.p95_ms},
                      {"p99_ms", s.p99_ms},
                      {"requests", s.requests},
                      {"failed", s.failed},
                      {"iterations", s.iterations},
                      {"dropped_iterations", s.dropped_iterations},
                      {"steady_seconds", s.steady_seconds},
                      {"server_cpu_percent", s.server_cpu_percent},
                      {"generator_cpu_percent", s.generator_cpu_percent},
                      {"server_wait_percent", s.server_wait_percent},
                      {"generator_wait_percent", s.generator_wait_percent},
                      {"generator_saturated", s.generator_saturated},
                      {"interrupted", s.interrupted},
                      {"held", s.held},
                      {"reason", s.reason},
                      {"tls_full_handshakes", s.tls_full_handshakes},
                      {"tls_resumed_handshakes", s.tls_resumed_handshakes}};
}

// Reads fields of one JSON object; the first missing or mistyped field is kept for the error.
class Fields {
 public:
  Fields(const json::value& value, std::string where)
      : object_(value.if_object()), where_(std::move(where)) {
    if (object_ == nullptr) error_ = where_ + ": not an object";
  }
  double Number(const char* key) {
    const json::value* v = Find(key);
    if (v == nullptr) return 0;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    Mistyped(key, "a number");
    return 0;
  }
  uint64_t Count(const char* key) {
    const double n = Number(key);
    if (n < 0) Mistyped(key, "a count");
    return n < 0 ? 0 : static_cast<uint64_t>(n);
  }
  bool Bool(const char* key) {
    const json::value* v = Find(key);
    if (v != nullptr && !v->is_bool()) Mistyped(key, "true or false");
    return v != nullptr && v->is_bool() && v->get_bool();
  }
  std::string String(const char* key) {
    const json::value* v = Find(key);
    if (v != nullptr && !v->is_string()) Mistyped(key, "a string");
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  }
  const json::array* Array(const char* key) {
    const json::value* v = Find(key);
    if (v != nullptr && !v->is_array()) Mistyped(key, "an array");
    return v != nullptr ? v->if_array() : nullptr;
  }
  const std::string& error() const { return error_; }

 private:
  const json::value* Find(const char* key) {
    if (object_ == nullptr) return nullptr;
    const json::value* v = object_->if_contains(key);
    if (v == nullptr && error_.empty()) error_ = where_ + ": field " + key + " is missing";
    return v;
  }
  void Mistyped(const char* key, const char* what) {
    if (error_.empty()) error_ = where_ + ": field " + key + " is not " + what;
  }
  const json::object* object_;
  std::string where_;
  std::string error_;
};

}  // namespace

double StepFigures::FailedFraction() const {
  return requests == 0 ? 0 : static_cast<double>(failed) / static_cast<double>(requests);
}

double StepFigures::HeldRps() const {
  return offered_rps > 0 ? std::min(achieved_rps, offered_rps) : achieved_rps;
}

StepFigures SteadyFigures(const results::Results& results, double offered_rate,
                          double requests_per_iteration, int64_t step_ms, int skip_seconds) {
  StepFigures step;
  step.offered_rate = offered_rate;
  step.offered_rps = offered_rate * requests_per_iteration;
  step.interrupted = results.run.interrupted;
  results::NameSecond all;
  double server_cpu = 0, generator_cpu = 0;
  int server_samples = 0, generator_samples = 0;
  std::optional<double> first_scraped_cpu_s, last_scraped_cpu_s;
  int64_t first_scraped = 0, last_scraped = 0;
  for (const results::SecondRow& row : results.seconds) {
    // The scraped counter's growth over the steady part: its value at the end of the second
    // before the steady part starts, and at the end of the last steady second.
    auto scraped = row.scrape.find("process_cpu_seconds_total");
    if (scraped != row.scrape.end() && row.second + 1 == skip_seconds) {
      first_scraped_cpu_s = scraped->second;
      first_scraped = row.second;
    }
    if (!Steady(row.second, step_ms, skip_seconds)) continue;
    ++step.steady_seconds;
    for (const auto& [index, figures] : row.data.names) all.Merge(figures);
    step.iterations += row.data.iterations;
    step.dropped_iterations += row.data.dropped_iterations;
    if (row.server_cpu_percent) {
      server_cpu += *row.server_cpu_percent;
      ++server_samples;
    }
    if (row.generator_cpu_percent) {
      generator_cpu += *row.generator_cpu_percent;
      ++generator_samples;
    }
    if (scraped != row.scrape.end()) {
      last_scraped_cpu_s = scraped->second;
      last_scraped = row.second;
    }
  }
  step.requests = all.requests;
  step.tls_full_handshakes = all.tls_full_handshakes;
  step.tls_resumed_handshakes = all.tls_resumed_handshakes;
  step.failed = all.failed();
  step.achieved_rps = step.steady_seconds == 0 ? 0
                                               : static_cast<double>(all.requests) /
                                                     static_cast<double>(step.steady_seconds);
  step.p50_ms = Ms(all.duration.PercentileUs(50));
  step.p95_ms = Ms(all.duration.PercentileUs(95));
  step.p99_ms = Ms(all.duration.PercentileUs(99));
  if (server_samples > 0) {
    step.server_cpu_percent = server_cpu / server_samples;
  } else if (first_scraped_cpu_s && last_scraped_cpu_s && last_scraped > first_scraped) {
    step.server_cpu_percent = (*last_scraped_cpu_s - *first_scraped_cpu_s) * 100.0 /
                              static_cast<double>(last_scraped - first_scraped);
  }
  if (generator_samples > 0) step.generator_cpu_percent = generator_cpu / generator_samples;
  // Judged on the steady seconds, as the rest of the step, not on the run's busiest second: a
  // step whose start stalled (every late arrival making its VU and connection at once) can
  // keep the generator busy into the first steady second while it catches up, and that is not
  // a generator that could not offer more. Without per-second figures, the run's own verdict.
  step.generator_saturated = generator_samples > 0
                                 ? step.generator_cpu_percent > results::kGeneratorSaturatedPercent
                                 : results.run.generator_saturated;
  return step;
}

results::Results SteadyPart(results::Results results, int64_t step_ms, int skip_seconds) {
  std::erase_if(results.seconds, [&](const results::SecondRow& row) {
    return !Steady(row.second, step_ms, skip_seconds);
  });
  results::ComputeTotals(results);
  return results;
}

Status WriteSweep(const Sweep& sweep, const std::string& dir) {
  json::array steps;
  for (const StepFigures& step : sweep.steps) steps.emplace_back(StepJson(step));
  json::array meaning;
  for (const std::string& line : sweep.meaning) meaning.emplace_back(line);
  const json::object root{{"kind", "fourdollar bench sweep"},   {"step_ms", sweep.step_ms},
                          {"skip_seconds", sweep.skip_seconds}, {"server_cpus", sweep.server_cpus},
                          {"headline", sweep.headline},         {"meaning", std::move(meaning)},
                          {"steps", std::move(steps)}};
  const std::string path = dir + "/" + kSweepFile;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << json::serialize(root) << "\n";
  file.close();
  if (!file) return MakeError(ErrorCode::kIo, "cannot write " + path);
  return {};
}

bool IsSweepFolder(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir + "/" + kSweepFile, ec);
}

Result<Sweep> ReadSweep(const std::string& dir) {
  const std::string path = dir + "/" + kSweepFile;
  std::ifstream file(path, std::ios::binary);
  if (!file) return MakeError(ErrorCode::kNotFound, path + ": cannot be read");
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code ec;
  const json::value root = json::parse(text.str(), ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, path + ": not JSON: " + ec.message());
  Sweep sweep;
  Fields top(root, path);
  sweep.step_ms = static_cast<int64_t>(top.Number("step_ms"));
  sweep.skip_seconds = static_cast<int>(top.Number("skip_seconds"));
  sweep.server_cpus = static_cast<int>(top.Number("server_cpus"));
  sweep.headline = top.String("headline");
  if (const json::array* meaning = top.Array("meaning")) {
    for (const json::value& line : *meaning) {
      if (line.is_string()) sweep.meaning.emplace_back(line.get_string());
    }
  }
  const json::array* steps = top.Array("steps");
  if (!top.error().empty()) return MakeError(ErrorCode::kInvalidArgument, top.error());
  for (size_t i = 0; steps != nullptr && i < steps->size(); ++i) {
    Fields f((*steps)[i], path + ": steps[" + std::to_string(i) + "]");
    StepFigures s;
    s.dir = f.String("dir");
    s.offered_rate = f.Number("offered_rate");
    s.offered_rps = f.Number("offered_rps");
    s.achieved_rps = f.Number("achieved_rps");
    s.p50_ms = f.Number("p50_ms");
    s.p95_ms = f.Number("p95_ms");
    s.p99_ms = f.Number("p99_ms");
    s.requests = f.Count("requests");
    s.failed = f.Count("failed");
    s.iterations = f.Count("iterations");
    s.dropped_iterations = f.Count("dropped_iterations");
    s.steady_seconds = static_cast<int>(f.Number("steady_seconds"));
    s.server_cpu_percent = f.Number("server_cpu_percent");
    s.generator_cpu_percent = f.Number("generator_cpu_percent");
    s.server_wait_percent = f.Number("server_wait_percent");
    s.generator_wait_percent = f.Number("generator_wait_percent");
    s.generator_saturated = f.Bool("generator_saturated");
    s.interrupted = f.Bool("interrupted");
    s.held = f.Bool("held");
    s.reason = f.String("reason");
    // Absent from a sweep.json written before handshakes were counted: 0.
    if (const json::object* o = (*steps)[i].if_object(); o && o->contains("tls_full_handshakes")) {
      s.tls_full_handshakes = f.Count("tls_full_handshakes");
      s.tls_resumed_handshakes = f.Count("tls_resumed_handshakes");
    }
    if (!f.error().empty()) return MakeError(ErrorCode::kInvalidArgument, f.error());
    // The step folders lie beside sweep.json, by name: nothing else may be read through it.
    if (s.dir.empty() || s.dir.find('/') != std::string::npos || s.dir.starts_with('.')) {
      return MakeError(ErrorCode::kInvalidArgument, path + ": steps[" + std::to_string(i) +
                                                        "]: field dir must name a folder "
                                                        "beside sweep.json");
    }
    sweep.steps.push_back(std::move(s));
  }
  return sweep;
}

}  // namespace fourdollar::report
