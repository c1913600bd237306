// `fourdollar load` against `fourdollar serve` over HTTPS: verification and its refusals, the
// connection modes and resumption as the server counts them, source addresses, and k6's phases.
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "e2e/load_process.h"
#include "e2e/prometheus_text.h"
#include "e2e/server_fixture.h"
#include "net/tcp.h"
#include "results/raw_csv.h"
#include "results/results.h"
#include "results/results_csv.h"
#include "results/results_files.h"

namespace fourdollar::e2e {
namespace {

class TlsLoad : public ServerTest {
 protected:
  std::filesystem::path WriteScenario(const std::string& yaml) {
    std::filesystem::path path = data_dir_.path() / ("scenario-" + std::to_string(runs_) + ".yaml");
    std::ofstream(path) << yaml;
    return path;
  }

  // Runs the load against `target`; the results and what it printed.
  Result<results::Results> Run(const std::string& yaml, const std::string& target,
                               std::string* output = nullptr, std::vector<std::string> extra = {}) {
    std::filesystem::path scenario = WriteScenario(yaml);
    out_ = data_dir_.path() / ("out-" + std::to_string(runs_++));
    std::vector<std::string> args = {"load", scenario.string(), "--target",
                                     target, "--out",           out_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    Result<LoadRun> run = RunLoadToExit(data_dir_.path(), args);
    if (!run) return tl::unexpected(run.error());
    EXPECT_EQ(run->exit_code, 0) << run->stderr_text << run->stdout_text;
    if (output != nullptr) *output = run->stdout_text + run->stderr_text;
    return results::ReadResults(out_.string());
  }

  std::string Url() { return "https://localhost:" + std::to_string(server_->port()); }

  double Handshakes(const std::string& outcome) {
    HttpResponse metrics = Get("/metrics");
    return FindSample(metrics.body, "fourdollar_tls_handshakes_total", {{"outcome", outcome}})
        .value_or(-1);
  }

  uint64_t Failures(const results::Results& r, results::FailureKind kind) {
    return r.overall.failures[static_cast<size_t>(kind)];
  }

  std::filesystem::path out_;
  int runs_ = 0;
};

std::string Scenario(const std::string& extra, const std::string& duration = "1s") {
  return "vus: 2\nduration: " + duration + "\n" + extra +
         "\nscenarios:\n  home:\n    flow:\n      - get: /healthz\n";
}

TEST_F(TlsLoad, VerifiesWithTheScenariosCaAndEveryRequestIsAnswered) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  std::string output;
  auto results = Run(Scenario("tls: {ca: " + ca_->ca_file() + "}"), Url(), &output);
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_GT(results->overall.requests, 10u);
  EXPECT_EQ(results->overall.failed(), 0u) << output;
  EXPECT_NE(output.find("verified against " + ca_->ca_file()), std::string::npos) << output;
  // keep-alive: one full handshake per VU (and the ones of this test's own /metrics reads).
  EXPECT_LE(Handshakes("full"), 2 + 1);
}

struct Refusal {
  const char* name;
  test_support::CertificateSpec spec;
  bool trust_ca;
  const char* reason;  // in the summary's first tls_verification line
};

// GoogleTest lists a parameter by its bytes otherwise (pointers: a test name that changes from
// one build to the next).
void PrintTo(const Refusal& refusal, std::ostream* out) { *out << refusal.name; }

class TlsLoadRefusal : public TlsLoad, public ::testing::WithParamInterface<Refusal> {};

TEST_P(TlsLoadRefusal, IsCountedAsVerificationFailureNamingTheReasonThenInsecureWorks) {
  const Refusal& refusal = GetParam();
  ca_ = std::make_unique<test_support::TestCa>(data_dir_.path().string(), "refusal");
  test_support::CertificateFiles files = ca_->Issue("bad", refusal.spec);
  ASSERT_NO_FATAL_FAILURE(
      StartServer({.args = {"--tls-cert", files.cert, "--tls-key", files.key}}));
  auto client = net::TlsContext::ForClient({.insecure = true});
  ASSERT_TRUE(client.has_value());
  tls_client_ = std::move(*client);  // for this test's own /metrics reads

  const std::string tls = refusal.trust_ca ? "tls: {ca: " + ca_->ca_file() + "}" : "";
  std::string output;
  auto refused = Run(Scenario(tls), Url(), &output);
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_GT(refused->overall.requests, 0u);
  EXPECT_EQ(Failures(*refused, results::FailureKind::kTlsVerification), refused->overall.requests)
      << output;
  EXPECT_NE(output.find(refusal.reason), std::string::npos) << output;
  EXPECT_NE(output.find("tls_verification"), std::string::npos) << output;

  auto insecure = Run(Scenario("tls: {insecure: true}"), Url(), &output);
  ASSERT_TRUE(insecure) << insecure.error().message;
  EXPECT_GT(insecure->overall.requests, 0u);
  EXPECT_EQ(insecure->overall.failed(), 0u) << output;
  EXPECT_NE(output.find("NOT verified"), std::string::npos) << output;
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, TlsLoadRefusal,
    ::testing::Values(Refusal{"Expired", {.expired = true}, true, "certificate has expired"},
                      Refusal{"WrongHost", {.hosts = {"other.example"}}, true, "hostname mismatch"},
                      Refusal{
                          "UnknownCa", {}, false, "self-signed certificate in certificate chain"}),
    [](const auto& test) { return std::string(test.param.name); });

TEST_F(TlsLoad, ResumedHandshakesMoveOnlyWithPerIterationResumed) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  const std::string tls = "tls: {ca: " + ca_->ca_file() + "}\n";
  auto fresh = Run(Scenario(tls + "connections: per-iteration"), Url());
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_GT(fresh->overall.requests, 10u);
  EXPECT_EQ(Handshakes("resumed"), 0);
  // The generator counts them too, and says so.
  EXPECT_EQ(fresh->overall.tls_full_handshakes, fresh->overall.requests);
  EXPECT_EQ(fresh->overall.tls_resumed_handshakes, 0u);
  EXPECT_GE(Handshakes("full"), static_cast<double>(fresh->overall.requests));

  const double full_before = Handshakes("full");
  auto returning = Run(Scenario(tls + "connections: per-iteration-resumed"), Url());
  ASSERT_TRUE(returning) << returning.error().message;
  EXPECT_GT(returning->overall.requests, 10u);
  EXPECT_GE(Handshakes("resumed"), static_cast<double>(returning->overall.requests) - 2);
  EXPECT_EQ(returning->overall.tls_full_handshakes + returning->overall.tls_resumed_handshakes,
            returning->overall.requests);
  EXPECT_LE(returning->overall.tls_full_handshakes, 2u);
  // Each VU's first connection is a full handshake; the metrics reads add one each.
  EXPECT_LE(Handshakes("full") - full_before, 2 + 3);
}

TEST_F(TlsLoad, RawCsvNamesTheNegotiatedVersionOnEveryRequestAsK6Does) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  // Kept-alive connections: the requests after the handshake carry the version too.
  auto results = Run(Scenario("tls: {ca: " + ca_->ca_file() + "}"), Url(), nullptr, {"--raw-csv"});
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_LT(results->overall.tls_full_handshakes, results->overall.requests);
  std::ifstream raw(out_ / "raw-0.csv");
  std::stringstream text;
  text << raw.rdbuf();
  auto records = results::ParseCsv(text.str(), "raw-0.csv");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_GT(records->size(), 1u);
  EXPECT_EQ((*records)[0].fields[15], "tls_version");
  std::set<std::string> versions;
  for (size_t i = 1; i < records->size(); ++i) versions.insert((*records)[i].fields[15]);
  EXPECT_EQ(versions, std::set<std::string>{"tls1.3"});
  EXPECT_EQ(records->size() - 1, results::kRawCsvRowsPerRequest * results->overall.requests);
}

TEST_F(TlsLoad, AnHttpsScrapeVerifiesWithTheScenariosCaAndServerName) {
  // A certificate for a name only, reached by address: the scenario's server_name is the name
  // both the load and its /metrics reads must verify.
  ca_ = std::make_unique<test_support::TestCa>(data_dir_.path().string(), "named");
  test_support::CertificateFiles named = ca_->Issue("named", {.hosts = {"blog.example"}});
  ASSERT_NO_FATAL_FAILURE(
      StartServer({.args = {"--tls-cert", named.cert, "--tls-key", named.key}}));
  const std::string url = "https://127.0.0.1:" + std::to_string(server_->port());
  std::string output;
  auto results = Run(Scenario("tls: {ca: " + ca_->ca_file() + ", server_name: blog.example}", "3s"),
                     url, &output, {"--scrape", url + "/metrics"});
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_GT(results->overall.requests, 10u);
  EXPECT_EQ(results->overall.failed(), 0u) << output;
  size_t scraped = 0;
  for (const results::SecondRow& row : results->seconds) {
    if (row.scrape.contains("fourdollar_http_requests_total")) ++scraped;
  }
  EXPECT_GE(scraped, 1u) << output;
}

TEST_F(TlsLoad, PhasesAddUpToEachRequestsDuration) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  auto results = Run(Scenario("tls: {ca: " + ca_->ca_file() +
                              "}\nconnections: per-iteration\nthresholds:\n"
                              "  http_req_tls_handshaking: [\"p(95)<10000\"]\n"),
                     Url(), nullptr, {"--raw-csv"});
  ASSERT_TRUE(results) << results.error().message;
  // The phases are histograms of the results too, read back from the files, and thresholds
  // judge them.
  ASSERT_EQ(results->thresholds.size(), 1u);
  EXPECT_TRUE(results->thresholds[0].evaluated) << results->thresholds[0].detail;
  EXPECT_TRUE(results->thresholds[0].passed);
  EXPECT_GT(results->thresholds[0].observed, 0);
  EXPECT_EQ(results->overall.phases[2].count(), results->overall.requests);
  EXPECT_GT(results->overall.phases[2].min_us(), 0);
  std::ifstream raw(out_ / "raw-0.csv");
  std::string line;
  ASSERT_TRUE(std::getline(raw, line));
  uint64_t requests = 0;
  double duration = 0, sum = 0, tls = 0;
  while (std::getline(raw, line)) {
    std::stringstream fields(line);
    std::string metric, stamp, value;
    std::getline(fields, metric, ',');
    std::getline(fields, stamp, ',');
    std::getline(fields, value, ',');
    const double ms = std::stod(value);
    if (metric == "http_req_duration") duration = ms;
    if (metric == "http_req_tls_handshaking") tls = ms;
    if (metric.starts_with("http_req_") && metric != "http_req_duration" &&
        metric != "http_req_failed") {
      sum += ms;
    }
    if (metric == "http_req_failed") {
      ++requests;
      // Each phase is truncated to the microsecond: at most 6 us lost.
      EXPECT_NEAR(sum, duration, 0.01) << "request " << requests;
      EXPECT_GT(tls, 0) << "request " << requests << ": a new connection has a handshake";
      sum = 0;
    }
  }
  EXPECT_EQ(requests, results->overall.requests);
  EXPECT_GT(requests, 10u);
}

// A bare HTTP responder that notes each client's address: what the server sees.
class PeerRecorder {
 public:
  PeerRecorder() {
    auto endpoint = net::ParseEndpoint("127.0.0.1:0");
    auto listener = net::Listen(*endpoint, {});
    EXPECT_TRUE(listener.has_value());
    listener_ = std::move(*listener);
    port_ = net::LocalEndpoint(listener_.get())->port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~PeerRecorder() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::set<std::string> peers() const {
    std::lock_guard lock(mutex_);
    return peers_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd pfd{listener_.get(), POLLIN, 0};
      if (::poll(&pfd, 1, 50) <= 0) continue;
      sockaddr_in peer{};
      socklen_t length = sizeof peer;
      UniqueFd fd(
          ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC));
      if (!fd.valid()) continue;
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
      {
        std::lock_guard lock(mutex_);
        peers_.insert(text);
      }
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd in{fd.get(), POLLIN, 0};
        if (::poll(&in, 1, 2000) <= 0) break;
        ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      constexpr std::string_view kResponse =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      (void)!::send(fd.get(), kResponse.data(), kResponse.size(), MSG_NOSIGNAL);
    }
  }
  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::set<std::string> peers_;
  std::thread thread_;
};

TEST_F(TlsLoad, ConnectionsComeFromEverySourceAddressInTurn) {
  PeerRecorder recorder;
  auto results =
      Run("vus: 1\nduration: 1s\nsource_addresses: "
          "[127.0.0.2-127.0.0.9, 127.0.0.20]\nconnections: per-iteration\n"
          "scenarios:\n  home:\n    flow:\n      - get: /\n",
          "http://127.0.0.1:" + std::to_string(recorder.port()));
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_GE(results->overall.requests, 9u);
  std::set<std::string> expected = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6",
                                    "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.20"};
  EXPECT_EQ(recorder.peers(), expected);
}

}  // namespace
}  // namespace fourdollar::e2e
