#include "load/scrape.h"

#include <charconv>
#include <cstdlib>
#include <optional>

#include "base/clock.h"
#include "http/blocking_client.h"
#include "http/url.h"
#include "results/results_files.h"

namespace fourdollar::load {

namespace {

constexpr std::string_view kNodeCpu = "node_cpu_seconds_total";

// The value of label `label` in `labels` ({cpu="0",mode="user"}); empty when absent.
std::string_view LabelValue(std::string_view labels, std::string_view label) {
  const std::string key = std::string(label) + "=\"";
  size_t at = labels.find(key);
  while (at != std::string_view::npos && at > 0 && labels[at - 1] != '{' && labels[at - 1] != ',') {
    at = labels.find(key, at + 1);
  }
  if (at == std::string_view::npos) return {};
  const size_t start = at + key.size();
  const size_t end = labels.find('"', start);
  return end == std::string_view::npos ? std::string_view() : labels.substr(start, end - start);
}

}  // namespace

ScrapeSample ParsePrometheusText(std::string_view text) {
  ScrapeSample sums;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string_view::npos) continue;
    std::string_view name = line.substr(0, name_end);
    if (name.size() > 7 && name.substr(name.size() - 7) == "_bucket") continue;
    size_t value_start = line.rfind(' ');
    if (value_start == std::string_view::npos) continue;
    std::string value(line.substr(value_start + 1));
    char* parsed_end = nullptr;
    double value_number = std::strtod(value.c_str(), &parsed_end);
    if (parsed_end == value.c_str()) continue;
    if (name == kNodeCpu) {
      const size_t labels_end = line.find('}');
      const std::string_view mode =
          labels_end == std::string_view::npos
              ? std::string_view()
              : LabelValue(line.substr(name_end, labels_end - name_end + 1), "mode");
      if (!mode.empty()) {
        sums[results::NodeCpuKey(mode)] += value_number;
        continue;
      }
    }
    sums[std::string(name)] += value_number;
  }
  return sums;
}

namespace {

Result<ScrapeSample> ScrapeOne(const std::string& url, int64_t timeout_ms, const ScrapeTls& tls) {
  Result<http::Url> parsed = http::ParseHttpUrl(url);
  if (!url.starts_with("http://") && !(tls.context != nullptr && url.starts_with("https://"))) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "--scrape URL must start with http:// (https:// with an https:// target): " + url);
  }
  if (!parsed) return tl::unexpected(parsed.error());
  // A URL without a path reads the server's /metrics.
  const std::string path =
      parsed->target == "/" && !url.ends_with('/') ? "/metrics" : parsed->target;
  const std::string authority = parsed->HostHeader();
  Result<net::Endpoint> endpoint = http::EndpointOf(*parsed);
  if (!endpoint) return tl::unexpected(endpoint.error());
  const int64_t deadline_ns = MonotonicNowNs() + timeout_ms * 1'000'000;
  Result<http::BlockingConnection> connection =
      http::BlockingConnection::Connect(*endpoint, deadline_ns);
  if (!connection) return MakeError(ErrorCode::kUnavailable, "cannot connect to " + url);
  if (parsed->scheme == http::Url::Scheme::kHttps) {
    const std::string& name = parsed->host == tls.target_host && !tls.server_name.empty()
                                  ? tls.server_name
                                  : parsed->host;
    if (Status secured = connection->StartTls(tls.context, name, deadline_ns); !secured) {
      return MakeError(ErrorCode::kUnavailable, url + ": " + secured.error().message);
    }
  }
  Result<http::ClientResponse> response = connection->Exchange(
      "GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n",
      deadline_ns);
  if (!response) {
    return MakeError(ErrorCode::kUnavailable,
                     "no complete answer from " + url + ": " + response.error().message);
  }
  if (response->status != 200) {
    return MakeError(ErrorCode::kUnavailable,
                     url + " answered " + std::to_string(response->status));
  }
  return ParsePrometheusText(response->body);
}

}  // namespace

Result<ScrapeSample> ScrapeMetrics(const std::string& urls, int64_t timeout_ms,
                                   const ScrapeTls& tls) {
  ScrapeSample merged;
  std::optional<Status> failed;
  bool any = false;
  size_t start = 0;
  while (start <= urls.size()) {
    size_t end = urls.find(',', start);
    if (end == std::string::npos) end = urls.size();
    Result<ScrapeSample> sample = ScrapeOne(urls.substr(start, end - start), timeout_ms, tls);
    start = end + 1;
    if (!sample) {
      if (!failed) failed = tl::unexpected(sample.error());
      continue;
    }
    any = true;
    for (const auto& [name, value] : *sample) merged[name] += value;
  }
  if (!any && failed) return tl::unexpected(failed->error());
  return merged;
}

}  // namespace fourdollar::load
