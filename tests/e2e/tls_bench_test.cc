// `fourdollar bench` over HTTPS end to end: the real binary with its throwaway certificate, and
// against an HTTPS server started here with a certificate made by the test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "e2e/load_process.h"
#include "e2e/server_process.h"
#include "results/results.h"
#include "results/results_files.h"
#include "support/test_certificates.h"

namespace fourdollar::e2e {
namespace {

// The last line of what the bench printed: its headline.
std::string LastLine(const std::string& text) {
  const size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

struct Handshakes {
  uint64_t full = 0;
  uint64_t resumed = 0;
};

Handshakes HandshakesIn(const std::filesystem::path& dir) {
  auto results = results::ReadResults(dir.string());
  EXPECT_TRUE(results) << dir << ": " << results.error().message;
  if (!results) return {};
  return {results->overall.tls_full_handshakes, results->overall.tls_resumed_handshakes};
}

// A number in the report's embedded data: "key":N.
uint64_t ReportCount(const std::string& html, const std::string& key) {
  std::smatch match;
  if (!std::regex_search(html, match, std::regex("\"" + key + "\":([0-9]+)"))) return 0;
  return std::stoull(match[1]);
}

TEST(TlsBench, ReturningVisitorsOverHttpsAndTheHeadlineNamesTheModeAndTheCostOfTls) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "bench";
  auto run = RunLoadToExit(dir.path(),
                           {"bench", "--tls", "--visitors", "returning", "--quick", "--posts", "50",
                            "--no-find-limit", "--out", out.string()},
                           120000);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stdout_text << run->stderr_text;
  const std::string& said = run->stdout_text;
  // The throwaway certificate is in the results folder and the server served HTTPS with it.
  EXPECT_TRUE(std::filesystem::exists(out / "tls" / "server.crt"));
  EXPECT_TRUE(std::filesystem::exists(out / "tls" / "server.key"));
  EXPECT_TRUE(std::filesystem::exists(out / "tls" / "bench-ca.crt"));
  EXPECT_NE(said.find("server: https://127.0.0.1:"), std::string::npos) << said;
  // The headline: the mode, the server's CPU per request with and without TLS, and new HTTPS
  // visitors per second on one core.
  const std::string headline = LastLine(said);
  EXPECT_TRUE(std::regex_search(
      headline, std::regex(R"(^1 CPU here, HTTPS, returning visitors \(a new connection each )"
                           R"(iteration, the TLS session resumed\): )")))
      << headline;
  EXPECT_TRUE(std::regex_search(
      headline, std::regex(R"( TLS: [0-9]+ server CPU-ms per 1000 requests over HTTPS against )"
                           R"([0-9]+ over plain HTTP \([-+][0-9]+%; )")))
      << headline;
  EXPECT_TRUE(std::regex_search(headline,
                                std::regex(R"(one core serves about [0-9]+ new HTTPS visitors/s)")))
      << headline;
  // Returning visitors resume their sessions; new visitors make full handshakes; the plain
  // reference makes none.
  const Handshakes seed = HandshakesIn(out / "seed");
  EXPECT_GT(seed.resumed, 0u);
  EXPECT_GT(seed.resumed, seed.full);
  const Handshakes fresh = HandshakesIn(out / "tls-cost" / "https-new-visitors");
  EXPECT_GT(fresh.full, 0u);
  EXPECT_EQ(fresh.resumed, 0u);
  const Handshakes plain = HandshakesIn(out / "tls-cost" / "plain");
  EXPECT_EQ(plain.full + plain.resumed, 0u);
  // The report carries the phases and the share of full and resumed handshakes, with data.
  const std::string html = ReadTextFile(out / "report.html");
  EXPECT_NE(html.find("\"phases\":{\"t\":["), std::string::npos);
  EXPECT_EQ(ReportCount(html, "full_total"), seed.full);
  EXPECT_EQ(ReportCount(html, "resumed_total"), seed.resumed);
  EXPECT_TRUE(std::regex_search(html, std::regex(R"("tls_p95":\[[^\]]*[1-9])"))) << "no TLS time";
  EXPECT_TRUE(std::regex_search(html, std::regex(R"("rate_tls":\{"rate":\[[0-9])")));
}

TEST(TlsBench, RemoteHttpsTargetIsVerifiedScrapedAndItsTlsSeenFromTheGenerator) {
  TempDir server_dir;
  test_support::TestCa ca(server_dir.path().string(), "remote");
  const test_support::CertificateFiles files = ca.Issue("server");
  auto server = ServerProcess::Start(server_dir.path(),
                                     {.args = {"--tls-cert", files.cert, "--tls-key", files.key}});
  ASSERT_TRUE(server) << server.error().message;
  const std::string url = (*server)->ready().url();
  ASSERT_TRUE(url.starts_with("https://")) << url;
  TempDir dir;
  const std::filesystem::path out = dir.path() / "bench";
  ::setenv("FOURDOLLAR_WRITE_TOKEN", (*server)->token().c_str(), 1);
  auto run =
      RunLoadToExit(dir.path(),
                    {"bench", "--quick", "--target", url, "--tls-ca", ca.ca_file(), "--visitors",
                     "new", "--posts", "20", "--no-find-limit", "--out", out.string()},
                    90000);
  ::unsetenv("FOURDOLLAR_WRITE_TOKEN");
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stdout_text << run->stderr_text;
  const std::string& said = run->stdout_text;
  EXPECT_NE(
      said.find("tls: the server's certificate is verified against the CA in " + ca.ca_file()),
      std::string::npos)
      << said;
  EXPECT_NE(said.find("seeded 20 posts"), std::string::npos) << said;
  const std::string headline = LastLine(said);
  EXPECT_NE(headline.find(url + ", HTTPS, new visitors"), std::string::npos) << said;
  // What can be measured of TLS against a server the bench does not run: the handshakes as the
  // generator sees them, the server's CPU from its /metrics, and what cannot be, said so.
  EXPECT_TRUE(std::regex_search(
      headline, std::regex("TLS, seen from the generator \\(remote server; HTTPS, new visitors[^)]*"
                           "\\)\\): [0-9]+ full and 0 resumed handshakes/s, a connect taking "
                           "[0-9.]+ ms and a handshake [0-9.]+ ms on average; the server's CPU "
                           "over HTTPS: [0-9]+ CPU-ms per 1000 requests \\(its /metrics\\); "
                           "without TLS, and new HTTPS visitors per core: not measured")))
      << headline;
  const Handshakes seed = HandshakesIn(out / "seed");
  EXPECT_GT(seed.full, 0u);
  EXPECT_EQ(seed.resumed, 0u);
  // Its /metrics was read over HTTPS each second.
  auto results = results::ReadResults((out / "seed").string());
  ASSERT_TRUE(results) << results.error().message;
  bool scraped = false;
  for (const results::SecondRow& row : results->seconds) {
    scraped = scraped || row.scrape.count("fourdollar_tls_handshakes_total") > 0;
  }
  EXPECT_TRUE(scraped);
}

TEST(TlsBench, AnUnknownCaIsRefusedNamingTheReason) {
  TempDir server_dir;
  test_support::TestCa ca(server_dir.path().string(), "unknown");
  const test_support::CertificateFiles files = ca.Issue("server");
  auto server = ServerProcess::Start(server_dir.path(),
                                     {.args = {"--tls-cert", files.cert, "--tls-key", files.key}});
  ASSERT_TRUE(server) << server.error().message;
  TempDir dir;
  ::setenv("FOURDOLLAR_WRITE_TOKEN", (*server)->token().c_str(), 1);
  // Verified against the system's CAs, which do not know the test's CA: seeding fails first.
  auto run = RunLoadToExit(
      dir.path(), {"bench", "--quick", "--target", (*server)->ready().url(), "--posts", "5",
                   "--no-find-limit", "--out", (dir.path() / "bench").string()});
  ::unsetenv("FOURDOLLAR_WRITE_TOKEN");
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 1) << run->stdout_text << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("TLS handshake: "), std::string::npos) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("certificate"), std::string::npos) << run->stderr_text;
}

TEST(TlsBench, RefusesTlsOptionsThatDoNotFit) {
  TempDir dir;
  ::setenv("FOURDOLLAR_WRITE_TOKEN", "x", 1);
  auto remote_tls = RunLoadToExit(dir.path(), {"bench", "--tls", "--target", "https://127.0.0.1:1",
                                               "--out", (dir.path() / "a").string()});
  auto plain_ca =
      RunLoadToExit(dir.path(), {"bench", "--tls-insecure", "--target", "http://127.0.0.1:1",
                                 "--out", (dir.path() / "b").string()});
  ::unsetenv("FOURDOLLAR_WRITE_TOKEN");
  auto bad_visitors = RunLoadToExit(dir.path(), {"bench", "--visitors", "sometimes"});
  ASSERT_TRUE(remote_tls && plain_ca && bad_visitors);
  EXPECT_EQ(remote_tls->exit_code, 2);
  EXPECT_NE(remote_tls->stderr_text.find("--tls makes the certificate of a local server"),
            std::string::npos)
      << remote_tls->stderr_text;
  EXPECT_EQ(plain_ca->exit_code, 2);
  EXPECT_NE(plain_ca->stderr_text.find("apply to an https:// --target only"), std::string::npos)
      << plain_ca->stderr_text;
  EXPECT_NE(bad_visitors->exit_code, 0);
  EXPECT_NE(bad_visitors->stderr_text.find("--visitors"), std::string::npos)
      << bad_visitors->stderr_text;
}

}  // namespace
}  // namespace fourdollar::e2e
