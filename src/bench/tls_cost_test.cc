#include "bench/tls_cost.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

TEST(TlsCost, VisitorsModeSaysHowVisitorsConnect) {
  EXPECT_EQ(VisitorsMode(false, scenario::Connections::kKeepAlive),
            "HTTP, keep-alive visitors (one connection each)");
  EXPECT_EQ(VisitorsMode(true, scenario::Connections::kPerIteration),
            "HTTPS, new visitors (a new connection and a full TLS handshake each iteration)");
  EXPECT_EQ(VisitorsMode(true, scenario::Connections::kPerIterationResumed),
            "HTTPS, returning visitors (a new connection each iteration, the TLS session "
            "resumed)");
}

TEST(TlsCost, VisitorsPerCoreIsIterationsPerSecondOverTheServersCpuShare) {
  StepFigures step{.iterations = 3000, .steady_seconds = 2, .server_cpu_percent = 50};
  EXPECT_DOUBLE_EQ(VisitorsPerCore(step), 3000);  // 1500/s at half a core
  step.server_cpu_percent = -1;
  EXPECT_EQ(VisitorsPerCore(step), -1);
}

TEST(TlsCost, SentenceGivesBothCostsTheirRatioAndVisitorsPerCore) {
  const TlsCost cost{.visitors = "HTTPS, keep-alive visitors (one connection each)",
                     .rate_rps = 1234,
                     .https_cpu_ms_per_thousand = 52,
                     .plain_cpu_ms_per_thousand = 40,
                     .new_visitors_per_core = 1234.5};
  EXPECT_EQ(FormatTlsCost(cost),
            " TLS: 52 server CPU-ms per 1000 requests over HTTPS against 40 over plain HTTP "
            "(+30%; HTTPS, keep-alive visitors (one connection each); both at 1230 requests/s); "
            "one core serves about 1230 new HTTPS visitors/s (a full handshake each).");
}

TEST(TlsCost, WhatWasNotMeasuredIsSaid) {
  EXPECT_EQ(FormatTlsCost({}),
            " TLS: server CPU per request with and without TLS: not measured; new HTTPS "
            "visitors per second on one core not measured.");
}

TEST(TlsCost, ARemoteServersViewIsTheGeneratorsHandshakesAndTheScrapedCpu) {
  results::Results seed;
  seed.overall.tls_full_handshakes = 300;
  seed.overall.tls_resumed_handshakes = 100;
  seed.overall.phases[1].Record(200, 400);  // 0.2 ms connects
  seed.overall.phases[1].Record(0, 600);    // requests on kept connections add nothing
  seed.overall.phases[2].Record(1500, 400);
  const StepFigures steady{.achieved_rps = 500,
                           .steady_seconds = 4,
                           .server_cpu_percent = 25,
                           .tls_full_handshakes = 200,
                           .tls_resumed_handshakes = 40};
  const RemoteTlsView view = RemoteTlsViewOf(seed, steady, "HTTPS, returning visitors");
  EXPECT_DOUBLE_EQ(view.full_handshakes_per_s, 50);
  EXPECT_DOUBLE_EQ(view.resumed_handshakes_per_s, 10);
  EXPECT_DOUBLE_EQ(view.connect_mean_ms, 0.2);
  EXPECT_DOUBLE_EQ(view.handshake_mean_ms, 1.5);
  EXPECT_DOUBLE_EQ(view.https_cpu_ms_per_thousand, 500);  // 250 CPU-ms a second, 500 requests
  EXPECT_EQ(FormatRemoteTls(view),
            " TLS, seen from the generator (remote server; HTTPS, returning visitors): 50 full "
            "and 10 resumed handshakes/s, a connect taking 0.20 ms and a handshake 1.50 ms on "
            "average; the server's CPU over HTTPS: 500 CPU-ms per 1000 requests (its /metrics); "
            "without TLS, and new HTTPS visitors per core: not measured (a remote server is not "
            "restarted without TLS; run the bench with --tls on that machine).");
}

TEST(TlsCost, ARemoteServerWithoutCpuOrHandshakesSaysSo) {
  const RemoteTlsView view = RemoteTlsViewOf({}, StepFigures{}, "HTTPS, new visitors");
  EXPECT_EQ(FormatRemoteTls(view),
            " TLS, seen from the generator (remote server; HTTPS, new visitors): no handshake "
            "completed; the server's CPU: not measured (its /metrics gives no "
            "process_cpu_seconds_total); without TLS, and new HTTPS visitors per core: not "
            "measured (a remote server is not restarted without TLS; run the bench with --tls on "
            "that machine).");
}

scenario::ScenarioFile Seed(scenario::Connections connections) {
  scenario::ScenarioFile seed;
  seed.scenarios = {{.name = "read", .connections = connections},
                    {.name = "post", .connections = connections}};
  return seed;
}

// A step of 2 steady seconds, 1000 iterations each, at `cpu` percent of a core.
StepFigures Figures(double cpu) {
  return StepFigures{
      .achieved_rps = 500, .iterations = 1000, .steady_seconds = 2, .server_cpu_percent = cpu};
}

TEST(TlsCost, RunsHttpsThenNewVisitorsThenPlainAndFillsTheCost) {
  std::vector<std::string> ran;
  TlsCostSteps steps;
  steps.run = [&](const scenario::ScenarioFile& file, const std::string& name) {
    ran.push_back(name + ":" + scenario::ConnectionsName(file.scenarios[1].connections));
    return Result<StepFigures>(Figures(name == "plain" ? 20 : name == "https" ? 30 : 50));
  };
  steps.restart_plain = [&] {
    ran.push_back("restart");
    return Result<scenario::ScenarioFile>(Seed(scenario::Connections::kPerIterationResumed));
  };
  steps.stopping = [] { return false; };
  TlsCost cost;
  ASSERT_TRUE(MeasureTlsCost(Seed(scenario::Connections::kPerIterationResumed), steps, &cost));
  EXPECT_EQ(ran, (std::vector<std::string>{"https:per-iteration-resumed",
                                           "https-new-visitors:per-iteration", "restart",
                                           "plain:per-iteration-resumed"}));
  EXPECT_DOUBLE_EQ(cost.https_cpu_ms_per_thousand, 600);  // 30% of a core at 500/s
  EXPECT_DOUBLE_EQ(cost.plain_cpu_ms_per_thousand, 400);
  EXPECT_DOUBLE_EQ(cost.new_visitors_per_core, 1000);  // 500 iterations/s at half a core
}

TEST(TlsCost, NewVisitorsAreNotRunTwiceAndAFailureKeepsWhatWasMeasured) {
  std::vector<std::string> ran;
  TlsCostSteps steps;
  steps.run = [&](const scenario::ScenarioFile&, const std::string& name) {
    ran.push_back(name);
    return Result<StepFigures>(Figures(25));
  };
  steps.restart_plain = [] {
    return Result<scenario::ScenarioFile>(
        tl::unexpected(Error{ErrorCode::kUnavailable, "the server did not start"}));
  };
  steps.stopping = [] { return false; };
  TlsCost cost;
  Status measured = MeasureTlsCost(Seed(scenario::Connections::kPerIteration), steps, &cost);
  ASSERT_FALSE(measured);
  EXPECT_EQ(measured.error().message, "the server did not start");
  EXPECT_EQ(ran, std::vector<std::string>{"https"});
  EXPECT_DOUBLE_EQ(cost.new_visitors_per_core, 2000);  // from the HTTPS step itself
  EXPECT_EQ(cost.plain_cpu_ms_per_thousand, -1);
}

}  // namespace
}  // namespace fourdollar::bench
