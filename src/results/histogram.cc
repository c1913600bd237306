#include "results/histogram.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

namespace fourdollar::results {
namespace {

constexpr int kSubBucketBits = 10;  // 1024 buckets per power of two
constexpr int64_t kExactLimit = int64_t{1} << kSubBucketBits;

int64_t Clamp(int64_t micros) { return std::clamp<int64_t>(micros, 0, LatencyHistogram::kMaxUs); }

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Reads "key=<number>" into *out; the error names what is wrong.
template <typename T>
Status ParseField(std::string_view token, std::string_view key, T* out) {
  if (token.size() <= key.size() || token.substr(0, key.size()) != key ||
      token[key.size()] != '=') {
    return MakeError(ErrorCode::kInvalidArgument, "histogram: expected '" + std::string(key) +
                                                      "=<number>', got '" + std::string(token) +
                                                      "'");
  }
  if (!ParseNumber(token.substr(key.size() + 1), out)) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "histogram: " + std::string(key) + " is not a number: '" + std::string(token) + "'");
  }
  return {};
}

Error TextError(std::string message) {
  return Error{ErrorCode::kInvalidArgument, "histogram: " + std::move(message)};
}

}  // namespace

uint32_t LatencyHistogram::BucketOf(int64_t micros) {
  const auto value = static_cast<uint64_t>(Clamp(micros));
  if (value < static_cast<uint64_t>(kExactLimit)) return static_cast<uint32_t>(value);
  const int shift = std::bit_width(value) - 1 - kSubBucketBits;
  return static_cast<uint32_t>((static_cast<uint64_t>(shift) << kSubBucketBits) + (value >> shift));
}

int64_t LatencyHistogram::BucketValueUs(uint32_t bucket) {
  if (bucket < kExactLimit) return bucket;
  const uint32_t shift = (bucket >> kSubBucketBits) - 1;
  const int64_t sub = bucket - (int64_t{shift} << kSubBucketBits);
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t micros, uint64_t count) {
  if (count == 0) return;
  micros = Clamp(micros);
  const uint32_t bucket = BucketOf(micros);
  // Latencies cluster, so after the first requests this almost always finds an existing bucket.
  // Most phases of a request on a kept connection (blocked, connecting, TLS) are 0 us: the
  // first bucket is checked before searching.
  auto it = buckets_.begin();
  if (it == buckets_.end() || it->first < bucket) {
    it = std::lower_bound(it, buckets_.end(), bucket,
                          [](const auto& entry, uint32_t b) { return entry.first < b; });
  }
  if (it != buckets_.end() && it->first == bucket) {
    it->second += count;
  } else {
    buckets_.insert(it, {bucket, count});
  }
  if (count_ == 0 || micros < min_us_) min_us_ = micros;
  if (count_ == 0 || micros > max_us_) max_us_ = micros;
  count_ += count;
  sum_us_ += micros * static_cast<int64_t>(count);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  std::vector<std::pair<uint32_t, uint64_t>> merged;
  merged.reserve(buckets_.size() + other.buckets_.size());
  auto a = buckets_.begin();
  auto b = other.buckets_.begin();
  while (a != buckets_.end() || b != other.buckets_.end()) {
    if (b == other.buckets_.end() || (a != buckets_.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == buckets_.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  buckets_ = std::move(merged);
  min_us_ = std::min(min_us_, other.min_us_);
  max_us_ = std::max(max_us_, other.max_us_);
  count_ += other.count_;
  sum_us_ += other.sum_us_;
}

int64_t LatencyHistogram::PercentileUs(double p) const {
  if (count_ == 0) return 0;
  p = std::isnan(p) ? 0 : std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (const auto& [bucket, n] : buckets_) {
    seen += n;
    if (seen >= rank) return std::clamp(BucketValueUs(bucket), min_us_, max_us_);
  }
  return max_us_;
}

std::string LatencyHistogram::ToText() const {
  std::string text = "n=" + std::to_string(count_) + " sum_us=" + std::to_string(sum_us_) +
                     " min_us=" + std::to_string(min_us()) + " max_us=" + std::to_string(max_us());
  for (const auto& [bucket, n] : buckets_) {
    text += ' ';
    text += std::to_string(BucketValueUs(bucket));
    text += ':';
    text += std::to_string(n);
  }
  return text;
}

Result<LatencyHistogram> LatencyHistogram::ParseText(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t space = std::min(text.find(' ', pos), text.size());
    tokens.push_back(text.substr(pos, space - pos));
    pos = space + 1;
  }
  if (tokens.size() < 4) {
    return tl::unexpected(TextError("expected 'n=.. sum_us=.. min_us=.. max_us=..' first, got '" +
                                    std::string(text) + "'"));
  }
  LatencyHistogram h;
  if (auto s = ParseField(tokens[0], "n", &h.count_); !s) return tl::unexpected(s.error());
  if (auto s = ParseField(tokens[1], "sum_us", &h.sum_us_); !s) return tl::unexpected(s.error());
  if (auto s = ParseField(tokens[2], "min_us", &h.min_us_); !s) return tl::unexpected(s.error());
  if (auto s = ParseField(tokens[3], "max_us", &h.max_us_); !s) return tl::unexpected(s.error());

  const uint32_t top_bucket = BucketOf(kMaxUs);
  uint64_t total = 0;
  for (size_t i = 4; i < tokens.size(); ++i) {
    const std::string_view token = tokens[i];
    const size_t colon = token.find(':');
    int64_t value_us = 0;
    uint64_t n = 0;
    if (colon == std::string_view::npos || !ParseNumber(token.substr(0, colon), &value_us) ||
        !ParseNumber(token.substr(colon + 1), &n)) {
      return tl::unexpected(TextError("bucket " + std::to_string(i - 3) +
                                      " is not '<value_us>:<count>': '" + std::string(token) +
                                      "'"));
    }
    const uint32_t bucket = BucketOf(value_us);
    if (value_us < 0 || bucket > top_bucket || BucketValueUs(bucket) != value_us) {
      return tl::unexpected(TextError("bucket " + std::to_string(i - 3) + ": " +
                                      std::to_string(value_us) + " is not a bucket bound"));
    }
    if (n == 0) {
      return tl::unexpected(TextError("bucket " + std::to_string(i - 3) + " has a zero count"));
    }
    if (!h.buckets_.empty() && h.buckets_.back().first >= bucket) {
      return tl::unexpected(TextError("bucket " + std::to_string(i - 3) + " (" +
                                      std::to_string(value_us) + ") is not in ascending order"));
    }
    if (__builtin_add_overflow(total, n, &total)) {
      return tl::unexpected(TextError("bucket counts overflow"));
    }
    h.buckets_.emplace_back(bucket, n);
  }
  if (total != h.count_) {
    return tl::unexpected(TextError("n=" + std::to_string(h.count_) + " but the buckets hold " +
                                    std::to_string(total)));
  }
  if (h.count_ == 0) {
    if (h.sum_us_ != 0 || h.min_us_ != 0 || h.max_us_ != 0) {
      return tl::unexpected(TextError("an empty histogram must have sum, min and max 0"));
    }
    return h;
  }
  if (h.min_us_ < 0 || h.min_us_ > h.max_us_ || h.max_us_ > kMaxUs ||
      BucketOf(h.min_us_) != h.buckets_.front().first ||
      BucketOf(h.max_us_) != h.buckets_.back().first) {
    return tl::unexpected(TextError("min_us=" + std::to_string(h.min_us_) +
                                    " max_us=" + std::to_string(h.max_us_) +
                                    " do not fit the first and last buckets"));
  }
  const double n = static_cast<double>(h.count_);
  const double sum = static_cast<double>(h.sum_us_);
  if (sum < static_cast<double>(h.min_us_) * n || sum > static_cast<double>(h.max_us_) * n) {
    return tl::unexpected(
        TextError("sum_us=" + std::to_string(h.sum_us_) + " is outside n * [min_us, max_us]"));
  }
  return h;
}

}  // namespace fourdollar::results
