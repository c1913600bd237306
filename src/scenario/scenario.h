// A load test as read from a scenario file: what to request, how many virtual users or
// iterations per second, and what must hold at the end. Plain data, immutable once loaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/message.h"
#include "results/threshold.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace fourdollar::scenario {

// A string with ${...} parts, expanded per request: ${NAME} is a variable (captured earlier in
// the iteration, or from --env / the environment, resolved at load time), ${random.words(3,8)},
// ${random.text(200,2000)}, ${random.int(1,100)}, ${random.uuid}, ${vu}, ${iteration} are
// generators.
struct TemplatePart {
  enum class Kind {
    kLiteral,
    kVariable,
    kRandomWords,
    kRandomText,
    kRandomInt,
    kUuid,
    kVu,
    kIteration
  };
  Kind kind = Kind::kLiteral;
  std::string text;  // the literal, or the variable's name
  int64_t min = 0;   // generator bounds (words, characters or integer values), inclusive
  int64_t max = 0;
  // Set on the parts of a `json:` body that stand inside a JSON string: their expansion is
  // escaped for JSON (quotes, backslashes, control characters).
  bool json_escaped = false;
};

struct Template {
  std::vector<TemplatePart> parts;
  bool IsLiteral() const {
    return parts.size() <= 1 && (parts.empty() || parts[0].kind == TemplatePart::Kind::kLiteral);
  }
};

struct Capture {
  enum class Kind { kRegex, kJsonPath, kHeader };
  enum class Pick { kFirst, kRandom, kAll };
  Kind kind = Kind::kRegex;
  std::string
      expression;  // the regex (with one group), the JSON path ("items[0].id"), or header name
  std::shared_ptr<const re2::RE2> regex;  // compiled when kind == kRegex (RE2 syntax)
  Pick pick = Pick::kFirst;
  std::string as;  // the variable it sets; with kAll, values are joined with ","
};

struct Check {
  std::optional<int> status;               // the final response's status (after redirects)
  std::vector<std::string> body_contains;  // each must appear in the final response's body
};

struct Step {
  http::Method method = http::Method::kGet;
  Template url;      // a path ("/", "/${post_id}") or an absolute http:// URL
  std::string name;  // metrics label; default: the URL template as written
  std::vector<std::pair<std::string, Template>> headers;
  std::optional<Template> body;  // from `body:` (sent as is) or `json:` (serialized, see json)
  bool json = false;             // body came from `json:`; Content-Type application/json is added
  std::vector<Capture> captures;
  Check check;
  int64_t think_min_ms = 0;  // pause after the step, uniform in [min, max]
  int64_t think_max_ms = 0;
  // `revalidate: true` (GET and HEAD steps): the VU keeps the ETag of the URLs this step
  // fetches and sends If-None-Match with it next time, as a browser's cache does.
  bool revalidate = false;
};

// How a scenario's virtual users connect: one keep-alive connection for all their requests;
// a new connection for each iteration (a new visitor: TCP and a full TLS handshake); or a new
// connection for each iteration that resumes the TLS session of the one before (a returning
// visitor).
enum class Connections { kKeepAlive, kPerIteration, kPerIterationResumed };
// "keep-alive", "per-iteration", "per-iteration-resumed".
const char* ConnectionsName(Connections connections);

struct Scenario {
  std::string name;
  double weight = 1;
  std::vector<Step> flow;
  Connections connections = Connections::kKeepAlive;  // its own, else the file's `connections`
};

// The `tls:` settings of an https:// target.
struct TlsSettings {
  std::string ca;           // PEM file of CAs to trust instead of the system's store
  bool insecure = false;    // no verification of the server's certificate
  std::string server_name;  // SNI and the name to verify; empty: the target's host
};

struct Stage {
  int64_t duration_ms = 0;
  double target = 0;  // VUs (closed model) or iterations per second (open model)
};

// How iterations are started.
struct Execution {
  enum class Model {
    kRampingVus,    // closed: `stages` of VU targets, ramped linearly (k6 ramping-vus)
    kConstantVus,   // closed: `vus` for `duration`
    kConstantRate,  // open: `rate` iterations per second for `duration` (k6 constant-arrival-rate)
    kRampingRate,   // open: `stages` of rates, ramped linearly (k6 ramping-arrival-rate)
  };
  Model model = Model::kRampingVus;
  std::vector<Stage> stages;
  int64_t vus = 0;
  int64_t duration_ms = 0;
  double rate = 0;        // iterations per second
  double start_rate = 0;  // kRampingRate: the rate before the first stage
  int64_t max_vus = 0;    // open model: the VU pool's size at most
  // Open model: VUs made, and their keep-alive connections opened, before the run starts.
  int64_t pre_allocated_vus = 0;
  int64_t TotalDurationMs() const;
};

// "ramping-vus", "constant-vus", "constant-arrival-rate", "ramping-arrival-rate" (k6's names),
// as the results' RunInfo::model records it.
const char* ExecutionModelName(Execution::Model model);

struct ScenarioFile {
  std::string path;    // as given, for messages
  std::string target;  // base URL: "http://127.0.0.1:8080"
  std::vector<std::pair<std::string, Template>> default_headers;
  std::vector<Scenario> scenarios;
  Execution execution;
  std::vector<results::Threshold> thresholds;
  int64_t timeout_ms = 10000;  // per request
  int max_redirects = 10;
  TlsSettings tls;
  // `source_addresses`: local addresses that new connections bind to in turn (IPv4 or IPv6
  // literals, a range "127.0.0.2-127.0.0.250" expanded); empty: the kernel's choice.
  std::vector<std::string> source_addresses;
};

}  // namespace fourdollar::scenario
