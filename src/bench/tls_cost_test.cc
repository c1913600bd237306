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

}  // namespace
}  // namespace fourdollar::bench
