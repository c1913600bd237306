#include "base/metrics.h"

#include <charconv>
#include <cmath>

namespace fourdollar {

namespace {
void AppendNumber(std::string& out, double value) {
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  double integral = 0;
  std::to_chars_result r;
  if (std::modf(value, &integral) == 0 && std::fabs(value) < 1e15) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, value);
  }
  out.append(buf, r.ptr);
}

void AppendSampleName(std::string& out, std::string_view name, std::string_view labels) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
}
}  // namespace

void MetricsWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void MetricsWriter::Sample(std::string_view name, std::string_view labels, double value) {
  AppendSampleName(out_, name, labels);
  AppendNumber(out_, value);
  out_ += '\n';
}

void MetricsWriter::Histogram(std::string_view name, std::string_view labels,
                              std::span<const double> bounds, std::span<const uint64_t> counts,
                              double sum) {
  std::string bucket_name(name);
  bucket_name += "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size() && i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le = labels.empty() ? std::string() : std::string(labels) + ",";
    le += "le=\"";
    if (i < bounds.size()) {
      AppendNumber(le, bounds[i]);
    } else {
      le += "+Inf";
    }
    le += '"';
    Sample(bucket_name, le, static_cast<double>(cumulative));
  }
  Sample(std::string(name) + "_sum", labels, sum);
  Sample(std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace fourdollar
