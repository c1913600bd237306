#include "bench/headline.h"

#include <cmath>
#include <cstdio>

namespace fourdollar::bench {

long long RoundForReading(double value) {
  if (value <= 0) return 0;
  double digits = std::floor(std::log10(value)) + 1;
  double scale = std::pow(10.0, std::max(0.0, digits - 3));
  return std::max(1LL, std::llround(std::round(value / scale) * scale));
}

std::string FormatHeadline(const HeadlineFacts& facts) {
  char p95[32];
  std::snprintf(p95, sizeof p95, "%.1f ms", facts.p95_ms);
  const std::string rate = std::to_string(RoundForReading(facts.requests_per_second));
  std::string text = facts.where + ": ";
  switch (facts.kind) {
    case HeadlineFacts::Kind::kKnee:
      text += "knee at about " + rate + " requests/s, p95 " + p95 + ".";
      break;
    case HeadlineFacts::Kind::kBelowFirst:
      text += "knee below " + rate + " requests/s (no step held: " + facts.reason + ").";
      break;
    case HeadlineFacts::Kind::kNoKnee:
      text +=
          "no knee up to about " + rate + " requests/s, p95 " + p95 + " (" + facts.reason + ").";
      break;
    case HeadlineFacts::Kind::kSeedPeakOnly:
      text += "about " + rate + " requests/s at the seed scenario's peak, p95 " + p95 +
              " (no limit search).";
      break;
  }
  char article[96];
  std::snprintf(article, sizeof article,
                " The article's $4 VPS (Go + MongoDB): about %.0f requests/s.",
                kArticleRequestsPerSecond);
  return text + article;
}

}  // namespace fourdollar::bench
