#include "report/phases_view.h"

#include <gtest/gtest.h>

#include "report/report_test_support.h"
#include "results/results_builder.h"

namespace fourdollar::report {
namespace {

constexpr int64_t kStartUs = testing::kStartUnixMs * 1000;

// Three seconds of 20 requests each: the first of every four makes a connection (3 ms) and a TLS
// handshake (5 ms in second 0 and 1, 9 ms in second 2), full in second 0, resumed after.
results::Results RunWithHandshakes() {
  results::Recorder recorder(kStartUs);
  for (int s = 0; s < 3; ++s) {
    for (int i = 0; i < 20; ++i) {
      results::RequestSample sample;
      sample.start_unix_us = kStartUs + s * 1'000'000 + i * 1000;
      sample.duration_us = 20'000;
      sample.status = 200;
      if (i % 4 == 0) {
        sample.phases.connecting_us = 3000;
        sample.phases.tls_handshaking_us = s == 2 ? 9000 : 5000;
        sample.tls_handshake = true;
        sample.tls_resumed = s > 0;
      }
      recorder.Record(sample);
    }
  }
  results::ResultsBuilder builder;
  builder.Add(recorder.TakeBefore(INT64_MAX));
  results::RunInfo run;
  run.start_unix_ms = testing::kStartUnixMs;
  run.duration_ms = 3000;
  run.names = {"GET /"};
  return builder.Build(run, {});
}

double At(const boost::json::value& view, const char* series, size_t i) {
  return view.at(series).as_array().at(i).to_number<double>();
}

TEST(PhasesView, CountsFullAndResumedHandshakesPerSecondAndInAll) {
  const boost::json::value view = PhasesView(RunWithHandshakes());
  ASSERT_TRUE(view.is_object());
  EXPECT_EQ(view.at("full_total").to_number<uint64_t>(), 5u);
  EXPECT_EQ(view.at("resumed_total").to_number<uint64_t>(), 10u);
  EXPECT_EQ(At(view, "full", 0), 5);
  EXPECT_EQ(At(view, "resumed", 0), 0);
  EXPECT_EQ(At(view, "full", 2), 0);
  EXPECT_EQ(At(view, "resumed", 2), 5);
}

TEST(PhasesView, ChartsConnectAndTlsTimeOverTimeAndByRate) {
  const boost::json::value view = PhasesView(RunWithHandshakes());
  // A quarter of the requests connect: their time is above the 95th percentile's 0.
  EXPECT_NEAR(At(view, "connect_p99", 0), 3.0, 0.1);
  EXPECT_NEAR(At(view, "tls_p99", 0), 5.0, 0.1);
  EXPECT_NEAR(At(view, "tls_p99", 2), 9.0, 0.2);
  const boost::json::array& rate = view.at("rate_tls").at("rate").as_array();
  ASSERT_EQ(rate.size(), 1u);  // every second has the same rate: one bin
  EXPECT_EQ(rate[0].to_number<double>(), 20);
  EXPECT_NEAR(view.at("rate_tls").at("p99").as_array()[0].to_number<double>(), 9.0, 0.2);
}

TEST(PhasesView, NoneWithoutAnyConnectionPhase) {
  EXPECT_TRUE(PhasesView(testing::SyntheticRun({{100, 10}, {100, 10}})).is_null());
}

}  // namespace
}  // namespace fourdollar::report
