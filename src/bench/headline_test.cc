#include "bench/headline.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

TEST(Headline, ComparesTheKneeWithTheArticle) {
  EXPECT_EQ(FormatHeadline({.where = "1 CPU here",
                            .kind = HeadlineFacts::Kind::kKnee,
                            .requests_per_second = 12391.7,
                            .p95_ms = 3.14}),
            "1 CPU here: knee at about 12400 requests/s, p95 3.1 ms. The article's $4 VPS (Go + "
            "MongoDB): about 1300 requests/s.");
}

TEST(Headline, SaysWhenTheSearchEndedWithoutAKnee) {
  std::string text = FormatHeadline({.where = "2 CPUs here",
                                     .kind = HeadlineFacts::Kind::kNoKnee,
                                     .requests_per_second = 5000,
                                     .p95_ms = 1,
                                     .reason = "every step passed"});
  EXPECT_EQ(text.rfind("2 CPUs here: no knee up to about 5000 requests/s, p95 1.0 ms (every step "
                       "passed).",
                       0),
            0u)
      << text;
}

TEST(Headline, RoundsToThreeSignificantDigits) {
  EXPECT_EQ(RoundForReading(12345), 12300);
  EXPECT_EQ(RoundForReading(987.6), 988);
  EXPECT_EQ(RoundForReading(0.4), 1);
  EXPECT_EQ(RoundForReading(0), 0);
}

}  // namespace
}  // namespace fourdollar::bench
