// GET /metrics: the series exist and the counters count exactly what was done.
#include <map>
#include <string>

#include "e2e/prometheus_text.h"
#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class Metrics : public ServerTest {
 protected:
  std::string Scrape() {
    HttpResponse metrics = Get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    return metrics.body;
  }
  double Sample(const std::string& text, std::string_view name,
                const std::map<std::string, std::string>& labels = {}) {
    return FindSample(text, name, labels).value_or(0);
  }
};

TEST_F(Metrics, ExposesEveryDocumentedSeries) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_EQ(CreatePost("m", "b").status, 303);
  ASSERT_EQ(Get("/").status, 200);
  HttpResponse metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.Header("Content-Type").find("text/plain"), std::string::npos);
  for (const char* name :
       {"fourdollar_http_requests_total", "fourdollar_http_request_duration_seconds_bucket",
        "fourdollar_http_request_duration_seconds_sum",
        "fourdollar_http_request_duration_seconds_count", "fourdollar_http_open_connections",
        "fourdollar_posts_stored_total", "fourdollar_write_batch_size_bucket",
        "fourdollar_write_batch_size_count", "process_cpu_seconds_total",
        "process_resident_memory_bytes"}) {
    EXPECT_TRUE(FindSample(metrics.body, name).has_value()) << name << " missing:\n"
                                                            << metrics.body;
  }
  EXPECT_GT(Sample(metrics.body, "process_resident_memory_bytes"), 1e6);
  EXPECT_GE(Sample(metrics.body, "fourdollar_http_open_connections"), 1);
  EXPECT_TRUE(FindSample(metrics.body, "fourdollar_http_request_duration_seconds_bucket",
                         {{"route", "list"}, {"le", "+Inf"}})
                  .has_value())
      << metrics.body;
}

TEST_F(Metrics, ListRequestsCounterGrowsByTheNumberOfGets) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::map<std::string, std::string> list_ok = {
      {"route", "list"}, {"method", "GET"}, {"status", "200"}};
  double before = Sample(Scrape(), "fourdollar_http_requests_total", list_ok);
  double durations_before =
      Sample(Scrape(), "fourdollar_http_request_duration_seconds_count", {{"route", "list"}});
  constexpr int kGets = 7;
  for (int i = 0; i < kGets; ++i) ASSERT_EQ(Get("/").status, 200);
  std::string after = Scrape();
  EXPECT_EQ(Sample(after, "fourdollar_http_requests_total", list_ok) - before, kGets) << after;
  EXPECT_EQ(Sample(after, "fourdollar_http_request_duration_seconds_count", {{"route", "list"}}) -
                durations_before,
            kGets)
      << after;
}

TEST_F(Metrics, CountsPostsByRouteAndStatus) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(CreatePost("p" + std::to_string(i), "b").status, 303);
  ASSERT_EQ(CreatePost("", "b").status, 400);
  int64_t id = CreatePostAndFindId("p3", "b");
  ASSERT_EQ(Get(PostPath(id)).status, 200);
  ASSERT_EQ(Get("/999999").status, 404);
  ASSERT_EQ(Get("/healthz").status, 200);
  ASSERT_EQ(Get("/no/such/path").status, 404);
  std::string text = Scrape();
  auto count = [&](const char* route, const char* method, const char* status) {
    return Sample(text, "fourdollar_http_requests_total",
                  {{"route", route}, {"method", method}, {"status", status}});
  };
  EXPECT_EQ(count("create", "POST", "303"), 4) << text;
  EXPECT_EQ(count("create", "POST", "400"), 1) << text;
  EXPECT_EQ(count("post", "GET", "200"), 1) << text;
  EXPECT_EQ(count("post", "GET", "404"), 1) << text;
  EXPECT_EQ(count("healthz", "GET", "200"), 1) << text;
  EXPECT_EQ(count("unmatched", "GET", "404"), 1) << text;
  EXPECT_EQ(Sample(text, "fourdollar_posts_stored_total"), 4) << text;
  EXPECT_GE(Sample(text, "fourdollar_write_batch_size_count"), 1) << text;
  EXPECT_EQ(Sample(text, "fourdollar_write_batch_size_sum"), 4) << text;
}

}  // namespace
}  // namespace fourdollar::e2e
