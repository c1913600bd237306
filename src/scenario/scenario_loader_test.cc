#include "scenario/scenario_loader.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "scenario/template.h"

namespace fourdollar::scenario {
namespace {

const std::filesystem::path kScenarios = std::filesystem::path(FOURDOLLAR_SOURCE_DIR) / "scenarios";

Variables TestEnv() {
  Variables env;
  env.values["FOURDOLLAR_WRITE_TOKEN"] = "test-token";
  return env;
}

ScenarioFile LoadOk(std::string_view text, const Variables& env = TestEnv()) {
  auto file = LoadScenarioText(text, "t.yaml", env);
  EXPECT_TRUE(file) << file.error().message;
  return file ? *file : ScenarioFile{};
}

std::string LoadError(std::string_view text, const Variables& env = TestEnv()) {
  auto file = LoadScenarioText(text, "t.yaml", env);
  EXPECT_FALSE(file) << text;
  return file ? "" : file.error().message;
}

std::string Expand(const Template& tmpl, Random& random) {
  return ExpandTemplate(tmpl, nullptr, random, 1, 1);
}

// A valid file whose single step is on line 7, starting at column 9 ("      - get: /").
constexpr std::string_view kHead = R"(target: http://127.0.0.1:8080
vus: 1
duration: 10s
scenarios:
  s:
    flow:
)";

std::string WithSteps(std::string_view steps) { return std::string(kHead) + std::string(steps); }

TEST(ScenarioLoader, SeedFileLoadsToTheArticlesTest) {
  auto file = LoadScenarioFile((kScenarios / "seed.yaml").string(), TestEnv());
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->target, "http://127.0.0.1:8080");
  EXPECT_EQ(file->execution.model, Execution::Model::kRampingVus);
  ASSERT_EQ(file->execution.stages.size(), 3u);
  EXPECT_EQ(file->execution.stages[0].duration_ms, 30000);
  EXPECT_EQ(file->execution.stages[0].target, 50);
  EXPECT_EQ(file->execution.stages[1].target, 50);
  EXPECT_EQ(file->execution.stages[2].target, 0);
  EXPECT_EQ(file->execution.TotalDurationMs(), 90000);
  EXPECT_EQ(file->execution.max_vus, 50);

  ASSERT_EQ(file->scenarios.size(), 2u);
  const Scenario& writers = file->scenarios[0];
  EXPECT_EQ(writers.name, "writers");
  EXPECT_EQ(writers.weight, 10);
  ASSERT_EQ(writers.flow.size(), 1u);
  const Step& post = writers.flow[0];
  EXPECT_EQ(post.method, http::Method::kPost);
  EXPECT_EQ(post.name, "create post");
  EXPECT_TRUE(post.json);
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0].first, "Authorization");
  ASSERT_TRUE(post.headers[0].second.IsLiteral());
  EXPECT_EQ(post.headers[0].second.parts[0].text, "Bearer test-token");
  EXPECT_EQ(post.check.status, 200);

  const Scenario& readers = file->scenarios[1];
  EXPECT_EQ(readers.name, "readers");
  EXPECT_EQ(readers.weight, 90);
  ASSERT_EQ(readers.flow.size(), 2u);
  EXPECT_EQ(readers.flow[0].name, "list");
  ASSERT_EQ(readers.flow[0].captures.size(), 1u);
  const Capture& capture = readers.flow[0].captures[0];
  EXPECT_EQ(capture.kind, Capture::Kind::kRegex);
  EXPECT_EQ(capture.expression, R"re(href="/(\d+)")re");
  EXPECT_EQ(capture.pick, Capture::Pick::kRandom);
  EXPECT_EQ(capture.as, "post_id");
  const Step& open = readers.flow[1];
  EXPECT_EQ(open.name, "open post");
  ASSERT_EQ(open.url.parts.size(), 2u);
  EXPECT_EQ(open.url.parts[1].kind, TemplatePart::Kind::kVariable);
  EXPECT_EQ(open.url.parts[1].text, "post_id");

  ASSERT_EQ(file->thresholds.size(), 2u);
  EXPECT_EQ(file->thresholds[0].metric, "http_req_failed");
  EXPECT_EQ(file->thresholds[0].aggregate, results::Threshold::Aggregate::kRate);
  EXPECT_EQ(file->thresholds[0].value, 0.01);
  EXPECT_EQ(file->thresholds[1].metric, "http_req_duration");
  EXPECT_EQ(file->thresholds[1].percentile, 95);
  EXPECT_EQ(file->thresholds[1].op, results::Threshold::Op::kLess);
  EXPECT_EQ(file->thresholds[1].value, 50);
  EXPECT_EQ(file->timeout_ms, 10000);
  EXPECT_EQ(file->max_redirects, 10);
}

TEST(ScenarioLoader, SeedPostBodyExpandsToValidJsonWithinBounds) {
  auto file = LoadScenarioFile((kScenarios / "seed.yaml").string(), TestEnv());
  ASSERT_TRUE(file) << file.error().message;
  Random random(1);
  for (int i = 0; i < 50; ++i) {
    const std::string body = Expand(*file->scenarios[0].flow[0].body, random);
    boost::system::error_code ec;
    const boost::json::value json = boost::json::parse(body, ec);
    ASSERT_FALSE(ec) << body;
    const size_t body_length = json.at("body").as_string().size();
    EXPECT_GE(body_length, 200u);
    EXPECT_LE(body_length, 2000u);
    EXPECT_FALSE(json.at("title").as_string().empty());
  }
}

TEST(ScenarioLoader, EveryExampleLoads) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios / "examples")) {
    if (entry.path().extension() != ".yaml") continue;
    auto file = LoadScenarioFile(entry.path().string(), TestEnv());
    EXPECT_TRUE(file) << entry.path() << ": " << file.error().message;
    ++loaded;
  }
  EXPECT_GE(loaded, 2);
}

TEST(ScenarioLoader, ExamplesCoverConstantVusAndARampingArrivalRate) {
  auto constant = LoadScenarioFile((kScenarios / "examples/constant-vus.yaml").string(), TestEnv());
  ASSERT_TRUE(constant) << constant.error().message;
  EXPECT_EQ(constant->execution.model, Execution::Model::kConstantVus);
  EXPECT_EQ(constant->execution.vus, 20);
  EXPECT_EQ(constant->execution.duration_ms, 60000);

  auto ramp = LoadScenarioFile((kScenarios / "examples/open-ramp.yaml").string(), TestEnv());
  ASSERT_TRUE(ramp) << ramp.error().message;
  EXPECT_EQ(ramp->execution.model, Execution::Model::kRampingRate);
  EXPECT_EQ(ramp->execution.start_rate, 100);
  EXPECT_EQ(ramp->execution.max_vus, 2000);
  EXPECT_EQ(ramp->execution.pre_allocated_vus, 200);
  ASSERT_EQ(ramp->execution.stages.size(), 1u);
  EXPECT_EQ(ramp->execution.stages[0].target, 5000);
  EXPECT_EQ(ramp->timeout_ms, 5000);
}

TEST(ScenarioLoader, ConstantArrivalRateDefaultsMaxVus) {
  const ScenarioFile file = LoadOk(R"(arrival: {rate: 250, duration: 30s}
scenarios:
  s:
    flow:
      - get: /
)");
  EXPECT_EQ(file.target, "");
  EXPECT_EQ(file.execution.model, Execution::Model::kConstantRate);
  EXPECT_EQ(file.execution.rate, 250);
  EXPECT_EQ(file.execution.duration_ms, 30000);
  EXPECT_EQ(file.execution.max_vus, 1000);
  // VUs are made as arrivals need them.
  EXPECT_EQ(file.execution.pre_allocated_vus, 0);
}

TEST(ScenarioLoader, PreAllocatedVusMayBeAllOfMaxVus) {
  const ScenarioFile file = LoadOk(
      "arrival: {rate: 5, duration: 1s, max_vus: 20, pre_allocated_vus: 20}\n"
      "scenarios: {s: {flow: [{get: /}]}}\n");
  EXPECT_EQ(file.execution.pre_allocated_vus, 20);
}

TEST(ScenarioLoader, StepDefaultsAndTheRequestForm) {
  const ScenarioFile file =
      LoadOk(WithSteps(R"(      - request: {method: put, url: "/x/${random.int(1,9)}"}
        body: "raw ${vu}"
        think: 1s
      - delete: /y
        think: {min: 100ms, max: 2s}
        check: {body_contains: [a, b]}
)"));
  const auto& flow = file.scenarios[0].flow;
  EXPECT_EQ(file.scenarios[0].weight, 1);
  EXPECT_EQ(flow[0].method, http::Method::kPut);
  EXPECT_EQ(flow[0].name, "/x/${random.int(1,9)}");
  EXPECT_FALSE(flow[0].json);
  Random random(1);
  EXPECT_EQ(Expand(*flow[0].body, random), "raw 1");
  EXPECT_EQ(flow[0].think_min_ms, 1000);
  EXPECT_EQ(flow[0].think_max_ms, 1000);
  EXPECT_EQ(flow[1].method, http::Method::kDelete);
  EXPECT_EQ(flow[1].name, "/y");
  EXPECT_EQ(flow[1].think_min_ms, 100);
  EXPECT_EQ(flow[1].think_max_ms, 2000);
  EXPECT_EQ(flow[1].check.body_contains, (std::vector<std::string>{"a", "b"}));
}

TEST(ScenarioLoader, RevalidateIsReadForGetAndHeadStepsAndOffByDefault) {
  const ScenarioFile file = LoadOk(WithSteps(R"(      - get: /
        revalidate: true
      - head: /1
        revalidate: true
      - get: /2
        revalidate: false
      - get: /3
)"));
  const auto& flow = file.scenarios[0].flow;
  EXPECT_TRUE(flow[0].revalidate);
  EXPECT_TRUE(flow[1].revalidate);
  EXPECT_FALSE(flow[2].revalidate);
  EXPECT_FALSE(flow[3].revalidate);
}

TEST(ScenarioLoader, JsonBodiesKeepNumbersBoolsAndNestingAndEscapeStrings) {
  Variables env = TestEnv();
  env.values["QUOTE"] = "he said \"no\"\n\\";
  const ScenarioFile file = LoadOk(WithSteps(R"(      - post: /
        json:
          n: 12
          f: -1.5e3
          t: true
          z: null
          s: "12"
          q: ${QUOTE}
          r: ${random.int(5,5)}
          list: [1, "two", {three: 3}]
)"),
                                   env);
  Random random(1);
  const std::string body = Expand(*file.scenarios[0].flow[0].body, random);
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << body;
  EXPECT_EQ(json.at("n").as_int64(), 12);
  EXPECT_EQ(json.at("f").as_double(), -1500);
  EXPECT_EQ(json.at("t").as_bool(), true);
  EXPECT_TRUE(json.at("z").is_null());
  EXPECT_EQ(json.at("s").as_string(), "12");
  EXPECT_EQ(json.at("q").as_string(), "he said \"no\"\n\\");
  EXPECT_EQ(json.at("r").as_int64(), 5);
  EXPECT_EQ(json.at("list").at(2).at("three").as_int64(), 3);
}

TEST(ScenarioLoader, CapturedVariablesStayForTheEngineAndEnvironmentOnesAreInlined) {
  Variables env;
  env.fallback = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FROM_FALLBACK") return "f";
    return std::nullopt;
  };
  env.values["FROM_FLAG"] = "e";
  env.values["ID"] = "ignored: ID is captured";
  const ScenarioFile file = LoadOk(WithSteps(R"(      - get: /${FROM_FLAG}/${FROM_FALLBACK}
        capture:
          - {json: "items[0].id", as: ID}
          - {header: Location, pick: all, as: where}
      - get: /${ID}${where}
)"),
                                   env);
  ASSERT_EQ(file.scenarios.size(), 1u);
  const auto& flow = file.scenarios[0].flow;
  ASSERT_TRUE(flow[0].url.IsLiteral());
  EXPECT_EQ(flow[0].url.parts[0].text, "/e/f");
  ASSERT_EQ(flow[0].captures.size(), 2u);
  EXPECT_EQ(flow[0].captures[0].kind, Capture::Kind::kJsonPath);
  EXPECT_EQ(flow[0].captures[1].kind, Capture::Kind::kHeader);
  EXPECT_EQ(flow[0].captures[1].pick, Capture::Pick::kAll);
  ASSERT_EQ(flow[1].url.parts.size(), 3u);
  EXPECT_EQ(flow[1].url.parts[1].text, "ID");
  EXPECT_EQ(flow[1].url.parts[2].text, "where");
}

TEST(ScenarioLoader, ThresholdsForOneRequestName) {
  const ScenarioFile file = LoadOk(WithSteps(R"(      - get: /
        name: list
thresholds:
  "http_req_duration{name:list}": ["p(99.9)<=200", "avg<10"]
  checks: rate>0.99
  iterations: ["count>100"]
)"));
  ASSERT_EQ(file.thresholds.size(), 4u);
  EXPECT_EQ(file.thresholds[0].name_filter, "list");
  EXPECT_EQ(file.thresholds[0].percentile, 99.9);
  EXPECT_EQ(file.thresholds[0].op, results::Threshold::Op::kLessEqual);
  EXPECT_EQ(file.thresholds[1].aggregate, results::Threshold::Aggregate::kAvg);
  EXPECT_EQ(file.thresholds[2].metric, "checks");
  EXPECT_EQ(file.thresholds[3].aggregate, results::Threshold::Aggregate::kCount);
}

TEST(ScenarioLoader, MissingFileIsAnError) {
  auto file = LoadScenarioFile("/nonexistent/x.yaml", Variables{});
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().message.rfind("/nonexistent/x.yaml: cannot read", 0), 0u)
      << file.error().message;
}

TEST(Variables, AddFlagTakesNameEqualsValue) {
  Variables env;
  ASSERT_TRUE(env.AddFlag("TOKEN=a=b"));
  EXPECT_EQ(env.Lookup("TOKEN"), "a=b");
  EXPECT_FALSE(env.AddFlag("no-equals"));
  EXPECT_FALSE(env.AddFlag("1X=y"));
  EXPECT_EQ(env.Lookup("OTHER"), std::nullopt);
}

struct InvalidCase {
  const char* what;
  std::string text;
  const char* expected_prefix;  // "file:line:col: field: ..." up to a telling part of the message
};

class InvalidScenario : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidScenario, IsRefusedWithFileLineColumnAndField) {
  const std::string message = LoadError(GetParam().text);
  EXPECT_EQ(message.rfind(GetParam().expected_prefix, 0), 0u)
      << GetParam().what << "\n  got: " << message;
}

const std::string kGet = "      - get: /\n";

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidScenario,
    testing::Values(
        InvalidCase{"unknown top-level key", WithSteps(kGet) + "tresholds: {}\n",
                    "t.yaml:8:1: tresholds: unknown key \"tresholds\" (did you mean thresholds?)"},
        InvalidCase{"YAML syntax", WithSteps("      - get: [/\n"), "t.yaml:8:1: "},
        InvalidCase{"empty file", "", "t.yaml: the file is empty"},
        InvalidCase{"tab indentation",
                    "vus: 1\nduration: 1s\nscenarios:\n\ts:\n\t\tflow: [{get: /}]\n",
                    "t.yaml:4:3: illegal map value (line 4 is indented with a tab: YAML indents "
                    "with spaces)"},
        InvalidCase{"truncated file", "vus: 1\nduration: 1s\nscenarios:\n  s:\n    flow: [{get: /",
                    "t.yaml:5:1: end of map flow not found"},
        InvalidCase{"binary garbage", std::string("\x7f\x45\x4c\x46\x02\x01\x01\x00\xff\xfe", 10),
                    "t.yaml:"},
        InvalidCase{"a list where a number goes",
                    "vus: [1]\nduration: 1s\nscenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:6: vus: expected a whole number"},
        InvalidCase{"a map where a duration goes",
                    "vus: 1\nduration: {a: 1}\nscenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:2:11: duration: expected a duration such as 30s, 500ms, 1m30s"},
        InvalidCase{"overflowing duration",
                    "vus: 1\nduration: 99999999999999999999h\nscenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:2:11: duration: duration \"99999999999999999999h\" is too long"},
        InvalidCase{"overflowing vus",
                    "vus: 99999999999999999999\nduration: 1s\nscenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:6: vus: expected a whole number, got \"99999999999999999999\""},
        InvalidCase{"percent sign in a rate threshold",
                    WithSteps(kGet) + "thresholds:\n  http_req_failed: [\"rate<5%\"]\n",
                    "t.yaml:9:21: thresholds.http_req_failed: threshold \"rate<5%\": expected a "
                    "number after the comparison, got \"5%\""},
        InvalidCase{"rate threshold over 1",
                    WithSteps(kGet) + "thresholds:\n  http_req_failed: [\"rate<150\"]\n",
                    "t.yaml:9:21: thresholds.http_req_failed: threshold \"rate<150\": a rate is a "
                    "fraction between 0 and 1"},
        InvalidCase{"percentile over 100",
                    WithSteps(kGet) + "thresholds:\n  http_req_duration: [\"p(101)<5\"]\n",
                    "t.yaml:9:23: thresholds.http_req_duration: threshold \"p(101)<5\": expected "
                    "p(N) with 0 < N <= 100"},
        InvalidCase{"unterminated template",
                    WithSteps("      - post: /\n        body: 'x ${random.int(1,5)'\n"),
                    "t.yaml:8:15: scenarios.s.flow[0].body: unterminated ${"},
        InvalidCase{
            "template bounds reversed",
            WithSteps("      - post: /\n        body: 'x ${random.int(5,1)}'\n"),
            "t.yaml:8:15: scenarios.s.flow[0].body: ${random.int(5,1)}: min is greater than max"},
        InvalidCase{"scenario without a flow",
                    "vus: 1\nduration: 1s\nscenarios: {s: {weight: 1}}\n",
                    "t.yaml:3:16: scenarios.s: a scenario needs a flow"},
        InvalidCase{"vus without duration", "vus: 1\nscenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:6: vus: vus and duration go together"},
        InvalidCase{"not a map", "- a\n", "t.yaml:1:1: expected a map"},
        InvalidCase{"duration without unit",
                    "target: http://127.0.0.1:8080\nvus: 1\nduration: 10\nscenarios: {s: {flow: "
                    "[{get: /}]}}\n",
                    "t.yaml:3:11: duration: duration \"10\" has no unit"},
        InvalidCase{"negative duration", R"(vus: 1
duration: -5s
scenarios: {s: {flow: [{get: /}]}}
)",
                    "t.yaml:2:11: duration: duration \"-5s\" is negative"},
        InvalidCase{"unknown generator", WithSteps(R"(      - post: /
        json: {title: "${random.foo(1,2)}"}
)"),
                    "t.yaml:8:23: scenarios.s.flow[0].json.title: unknown generator "
                    "${random.foo(1,2)}"},
        InvalidCase{"bad regex", WithSteps(R"(      - get: /
        capture: {regex: '(a', as: x}
)"),
                    "t.yaml:8:26: scenarios.s.flow[0].capture.regex: invalid regular expression"},
        InvalidCase{"regex without a group", WithSteps(R"(      - get: /
        capture: {regex: 'a+', as: x}
)"),
                    "t.yaml:8:26: scenarios.s.flow[0].capture.regex: the regex must have exactly "
                    "one capture group"},
        InvalidCase{"capture without as", WithSteps(R"(      - get: /
        capture: [{header: Location}]
)"),
                    "t.yaml:8:19: scenarios.s.flow[0].capture[0]: a capture needs `as: NAME`"},
        InvalidCase{"zero weight", R"(vus: 1
duration: 1s
scenarios:
  s:
    weight: 0
    flow: [{get: /}]
)",
                    "t.yaml:5:13: scenarios.s.weight: must be greater than 0"},
        InvalidCase{"empty flow", "vus: 1\nduration: 1s\nscenarios:\n  s:\n    flow: []\n",
                    "t.yaml:5:11: scenarios.s.flow: expected a non-empty list of steps"},
        InvalidCase{"no scenarios", "vus: 1\nduration: 1s\n",
                    "t.yaml:1:1: no scenarios: add scenarios:"},
        InvalidCase{"tls unknown key", "tls: {verify: false}\n" + WithSteps(kGet),
                    "t.yaml:1:7: tls.verify: unknown key"},
        InvalidCase{"connections unknown", "connections: sometimes\n" + WithSteps(kGet),
                    "t.yaml:1:14: connections: expected keep-alive, per-iteration or "
                    "per-iteration-resumed, got \"sometimes\""},
        InvalidCase{"source range backwards",
                    "source_addresses: 127.0.0.9-127.0.0.2\n" + WithSteps(kGet),
                    "t.yaml:1:19: source_addresses: \"127.0.0.9-127.0.0.2\": the range ends "
                    "before it starts"},
        InvalidCase{"space in a URL", WithSteps("      - get: /a b\n"),
                    "t.yaml:7:14: scenarios.s.flow[0].get: the URL contains a space"},
        InvalidCase{"relative step URL", WithSteps("      - get: posts\n"),
                    "t.yaml:7:14: scenarios.s.flow[0].get: expected a path starting with /"},
        InvalidCase{"unknown threshold metric",
                    WithSteps(kGet) + "thresholds:\n  http_req_durations: [\"p(95)<5\"]\n",
                    "t.yaml:9:3: thresholds.http_req_durations: unknown metric "
                    "\"http_req_durations\" (did you mean http_req_duration?)"},
        InvalidCase{"bad threshold expression",
                    WithSteps(kGet) + "thresholds:\n  http_req_duration: [\"p95<5\"]\n",
                    "t.yaml:9:23: thresholds.http_req_duration: threshold \"p95<5\": unknown "
                    "aggregate \"p95\""},
        InvalidCase{"aggregate the metric does not have",
                    WithSteps(kGet) + "thresholds:\n  http_req_failed: [\"p(95)<5\"]\n",
                    "t.yaml:9:21: thresholds.http_req_failed: threshold \"p(95)<5\": "
                    "http_req_failed takes rate"},
        InvalidCase{"threshold for an unknown name",
                    WithSteps(kGet) + "thresholds:\n  \"http_reqs{name:lst}\": [count>1]\n",
                    "t.yaml:9:3: thresholds.http_reqs{name:lst}: no step is named \"lst\""},
        InvalidCase{
            "undefined variable",
            WithSteps("      - get: /\n        headers: {Authorization: \"Bearer ${TOKEN}\"}\n"),
            "t.yaml:8:34: scenarios.s.flow[0].headers.Authorization: undefined variable "
            "${TOKEN}: pass --env TOKEN=VALUE or set it in the environment"},
        InvalidCase{
            "captured variable used before its capture",
            WithSteps("      - get: /${id}\n      - get: /\n        capture: {json: id, as: id}\n"),
            "t.yaml:7:14: scenarios.s.flow[0].get: ${id} is used before it is captured "
            "(by flow[1])"},
        InvalidCase{"two execution models",
                    "stages: [{duration: 1s, target: 1}]\n" + WithSteps(kGet),
                    "t.yaml:1:1: give only one of stages:, vus: with duration:, or arrival:"},
        InvalidCase{"no execution model", "scenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:1: no load given"},
        InvalidCase{"vus is not a number",
                    "vus: many\nduration: 1s\nscenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:6: vus: expected a whole number, got \"many\""},
        InvalidCase{"two requests in a step", WithSteps("      - get: /\n        post: /\n"),
                    "t.yaml:8:9: scenarios.s.flow[0].post: a step makes one request"},
        InvalidCase{"step without a request", WithSteps("      - name: x\n"),
                    "t.yaml:7:9: scenarios.s.flow[0]: a step needs one of get"},
        InvalidCase{"json and body",
                    WithSteps("      - post: /\n        json: {a: 1}\n        body: x\n"),
                    "t.yaml:9:15: scenarios.s.flow[0].body: give either json or body"},
        InvalidCase{
            "unknown step key", WithSteps("      - get: /\n        chek: {status: 200}\n"),
            "t.yaml:8:9: scenarios.s.flow[0].chek: unknown key \"chek\" (did you mean check?)"},
        InvalidCase{
            "max_vus zero",
            "arrival: {rate: 5, duration: 1s, max_vus: 0}\nscenarios: {s: {flow: [{get: /}]}}\n",
            "t.yaml:1:43: arrival.max_vus: 0 is out of range"},
        InvalidCase{"pre_allocated_vus above max_vus",
                    "arrival: {rate: 5, duration: 1s, max_vus: 10, pre_allocated_vus: 11}\n"
                    "scenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:66: arrival.pre_allocated_vus: must be at most max_vus (10)"},
        InvalidCase{"negative pre_allocated_vus",
                    "arrival: {rate: 5, duration: 1s, pre_allocated_vus: -1}\n"
                    "scenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:53: arrival.pre_allocated_vus: -1 is out of range"},
        InvalidCase{"duplicate key",
                    WithSteps("      - get: /\n        name: a\n        name: b\n"),
                    "t.yaml:9:9: scenarios.s.flow[0].name: duplicate key"},
        InvalidCase{"negative stage target",
                    "stages: [{duration: 1s, target: -1}]\nscenarios: {s: {flow: [{get: /}]}}\n",
                    "t.yaml:1:33: stages[0].target: -1 is out of range"},
        InvalidCase{"bad status check", WithSteps("      - get: /\n        check: {status: 99}\n"),
                    "t.yaml:8:25: scenarios.s.flow[0].check.status: 99 is out of range"},
        InvalidCase{"revalidate is not a boolean",
                    WithSteps("      - get: /\n        revalidate: yes\n"),
                    "t.yaml:8:21: scenarios.s.flow[0].revalidate: expected true or false"},
        InvalidCase{"revalidate on a post",
                    WithSteps("      - post: /\n        revalidate: true\n"),
                    "t.yaml:8:21: scenarios.s.flow[0].revalidate: only get and head steps "
                    "revalidate"},
        InvalidCase{"revalidate with its own If-None-Match",
                    WithSteps("      - get: /\n        headers: {If-None-Match: '\"x\"'}\n"
                              "        revalidate: true\n"),
                    "t.yaml:9:21: scenarios.s.flow[0].revalidate: revalidate sends "
                    "If-None-Match itself"},
        InvalidCase{"think max below min",
                    WithSteps("      - get: /\n        think: {min: 2s, max: 1s}\n"),
                    "t.yaml:8:31: scenarios.s.flow[0].think.max: max is less than min"}),
    [](const testing::TestParamInfo<InvalidCase>& param_info) {
      std::string name = param_info.param.what;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace fourdollar::scenario
