// Counters written by one thread and read by any, and the Prometheus text writer.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fourdollar {

// A counter with a single writer thread and any number of reader threads. Increments are plain
// loads and stores (no locked instruction) because only the owning thread writes.
class SingleWriterCounter {
 public:
  void Add(uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void Set(uint64_t n) { value_.store(n, std::memory_order_relaxed); }
  uint64_t Get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Upper bounds of the latency histogram buckets, in seconds (Prometheus "le" labels).
inline constexpr std::array<double, 14> kLatencyBucketsSeconds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

// Cumulative-on-output histogram with a single writer thread. counts_[i] holds the observations
// in bucket i alone; the last slot holds those above the last bound.
template <size_t N>
class SingleWriterHistogram {
 public:
  explicit SingleWriterHistogram(const std::array<double, N>& bounds) : bounds_(bounds) {}
  void Observe(double value) {
    size_t i = 0;
    while (i < N && value > bounds_[i]) ++i;
    counts_[i].Add();
    sum_micros_.Add(static_cast<uint64_t>(value * 1e6));
  }
  const std::array<double, N>& bounds() const { return bounds_; }
  uint64_t CountAt(size_t i) const { return counts_[i].Get(); }
  double Sum() const { return static_cast<double>(sum_micros_.Get()) / 1e6; }

 private:
  const std::array<double, N>& bounds_;
  std::array<SingleWriterCounter, N + 1> counts_;
  SingleWriterCounter sum_micros_;
};

// Writes metrics in the Prometheus text exposition format (version 0.0.4).
// `labels` is the text between braces without them, for example `route="/",status="200"`.
class MetricsWriter {
 public:
  explicit MetricsWriter(std::string& out) : out_(out) {}
  // Writes the "# HELP" and "# TYPE" lines; call once per metric family, before its samples.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, std::string_view labels, double value);
  // A family of one sample without labels: its HELP and TYPE lines, then the sample.
  void Single(std::string_view name, std::string_view type, std::string_view help, double value) {
    Family(name, type, help);
    Sample(name, "", value);
  }
  // Writes the _bucket, _sum and _count samples of a histogram; `counts` are per bucket
  // (not cumulative), with one more element than `bounds` for the overflow bucket.
  void Histogram(std::string_view name, std::string_view labels, std::span<const double> bounds,
                 std::span<const uint64_t> counts, double sum);

 private:
  std::string& out_;
};

// One histogram family without labels: its HELP and TYPE lines, then its samples.
template <size_t N>
void WriteHistogram(MetricsWriter& out, std::string_view name, std::string_view help,
                    const SingleWriterHistogram<N>& histogram) {
  std::array<uint64_t, N + 1> counts{};
  for (size_t i = 0; i <= N; ++i) counts[i] = histogram.CountAt(i);
  out.Family(name, "histogram", help);
  out.Histogram(name, "", histogram.bounds(), counts, histogram.Sum());
}

}  // namespace fourdollar
