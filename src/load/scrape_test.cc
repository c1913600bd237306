#include "load/scrape.h"
#include "results/results_files.h"

#include <gtest/gtest.h>

namespace fourdollar::load {
namespace {

TEST(Scrape, SumsEachMetricOverItsLabels) {
  ScrapeSample sample = ParsePrometheusText(
      "# HELP fourdollar_http_requests_total Requests.\n"
      "fourdollar_http_requests_total{status=\"200\"} 10\n"
      "fourdollar_http_requests_total{status=\"404\"} 2\n"
      "latency_bucket{le=\"1\"} 5\n"
      "process_cpu_seconds_total 1.5\n");
  EXPECT_DOUBLE_EQ(sample.at("fourdollar_http_requests_total"), 12);
  EXPECT_DOUBLE_EQ(sample.at("process_cpu_seconds_total"), 1.5);
  EXPECT_FALSE(sample.contains("latency_bucket"));
}

TEST(Scrape, KeepsNodeCpuSecondsPerModeSummedOverCpus) {
  ScrapeSample sample = ParsePrometheusText(
      "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 100.5\n"
      "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 50\n"
      "node_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 3\n"
      "node_cpu_seconds_total{cpu=\"1\",mode=\"steal\"} 4\n"
      "node_cpu_seconds_total{cpu=\"0\",submode=\"x\",mode=\"idle\"} 7\n"
      "node_memory_MemAvailable_bytes 1.5e+09\n");
  EXPECT_EQ(results::NodeCpuKey("user"), "node_cpu_seconds_total{mode=\"user\"}");
  EXPECT_DOUBLE_EQ(sample.at(results::NodeCpuKey("user")), 150.5);
  EXPECT_DOUBLE_EQ(sample.at(results::NodeCpuKey("steal")), 7);
  EXPECT_DOUBLE_EQ(sample.at(results::NodeCpuKey("idle")), 7);  // mode=, not submode=
  EXPECT_FALSE(sample.contains("node_cpu_seconds_total"));
  EXPECT_DOUBLE_EQ(sample.at("node_memory_MemAvailable_bytes"), 1.5e9);
}

TEST(Scrape, SeveralUrlsNeedOneThatAnswers) {
  Result<ScrapeSample> none = ScrapeMetrics("http://127.0.0.1:1/metrics,http://127.0.0.1:1/x", 500);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("127.0.0.1:1"), std::string::npos) << none.error().message;
}

}  // namespace
}  // namespace fourdollar::load
