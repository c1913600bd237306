#include "load/scrape.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "base/clock.h"
#include "http/response_parser.h"
#include "http/url.h"
#include "net/tcp.h"

namespace fourdollar::load {

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
    sums[std::string(name)] += value_number;
  }
  return sums;
}

Result<ScrapeSample> ScrapeMetrics(const std::string& url, int64_t timeout_ms) {
  Result<http::Url> parsed = http::ParseHttpUrl(url);
  if (!url.starts_with("http://")) {
    return MakeError(ErrorCode::kInvalidArgument, "--scrape URL must start with http://: " + url);
  }
  if (!parsed) return tl::unexpected(parsed.error());
  // A URL without a path reads the server's /metrics.
  const std::string path =
      parsed->target == "/" && !url.ends_with('/') ? "/metrics" : parsed->target;
  const std::string authority = parsed->HostHeader();
  Result<net::Endpoint> endpoint = http::EndpointOf(*parsed);
  if (!endpoint) return tl::unexpected(endpoint.error());
  Result<UniqueFd> fd = net::StartConnect(*endpoint);
  if (!fd) return tl::unexpected(fd.error());
  const int64_t deadline_ns = MonotonicNowNs() + timeout_ms * 1'000'000;
  auto wait = [&](short events) {
    int64_t left_ms = (deadline_ns - MonotonicNowNs()) / 1'000'000;
    if (left_ms <= 0) return false;
    pollfd p{fd->get(), events, 0};
    return ::poll(&p, 1, static_cast<int>(left_ms)) > 0;
  };
  if (!wait(POLLOUT) || net::ConnectResult(fd->get()) != 0) {
    return MakeError(ErrorCode::kUnavailable, "cannot connect to " + url);
  }
  std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n";
  if (::send(fd->get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return MakeError(ErrorCode::kUnavailable, "cannot send to " + url);
  }
  http::ResponseParser parser;
  std::string buffered;
  char buf[16384];
  while (wait(POLLIN)) {
    ssize_t n = ::recv(fd->get(), buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    http::ResponseParser::State state;
    if (n <= 0) {
      state = parser.FeedEof();
    } else {
      buffered.append(buf, static_cast<size_t>(n));
      size_t consumed = 0;
      state = parser.Feed(buffered, &consumed);
      buffered.erase(0, consumed);
    }
    if (state == http::ResponseParser::State::kComplete) {
      http::ClientResponse response = parser.TakeResponse();
      if (response.status != 200) {
        return MakeError(ErrorCode::kUnavailable,
                         url + " answered " + std::to_string(response.status));
      }
      return ParsePrometheusText(response.body);
    }
    if (state == http::ResponseParser::State::kError || n <= 0) break;
  }
  return MakeError(ErrorCode::kUnavailable, "no complete answer from " + url + " in time");
}

}  // namespace fourdollar::load
