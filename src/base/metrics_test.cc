// The Prometheus text writer: families, samples with and without labels, whole and fractional
// values, and cumulative histograms.
#include "base/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace fourdollar {
namespace {

TEST(MetricsWriter, SingleWritesHelpTypeAndOneSampleWithoutLabels) {
  std::string text;
  MetricsWriter out(text);
  out.Single("fourdollar_things_total", "counter", "Things counted.", 42);
  EXPECT_EQ(text,
            "# HELP fourdollar_things_total Things counted.\n"
            "# TYPE fourdollar_things_total counter\n"
            "fourdollar_things_total 42\n");
}

TEST(MetricsWriter, SamplesCarryTheirLabelsAndFractions) {
  std::string text;
  MetricsWriter out(text);
  out.Family("fourdollar_seconds", "gauge", "Seconds.");
  out.Sample("fourdollar_seconds", "kind=\"a\"", 0.25);
  out.Sample("fourdollar_seconds", "", 3);
  EXPECT_EQ(text,
            "# HELP fourdollar_seconds Seconds.\n"
            "# TYPE fourdollar_seconds gauge\n"
            "fourdollar_seconds{kind=\"a\"} 0.25\n"
            "fourdollar_seconds 3\n");
}

TEST(MetricsWriter, HistogramBucketsAreCumulativeWithAnInfiniteLast) {
  std::string text;
  MetricsWriter out(text);
  const double bounds[] = {0.1, 1};
  const uint64_t counts[] = {2, 3, 1};  // per bucket; the last above every bound
  out.Histogram("fourdollar_wait_seconds", "", bounds, counts, 4.5);
  EXPECT_EQ(text,
            "fourdollar_wait_seconds_bucket{le=\"0.1\"} 2\n"
            "fourdollar_wait_seconds_bucket{le=\"1\"} 5\n"
            "fourdollar_wait_seconds_bucket{le=\"+Inf\"} 6\n"
            "fourdollar_wait_seconds_sum 4.5\n"
            "fourdollar_wait_seconds_count 6\n");
}

}  // namespace
}  // namespace fourdollar
