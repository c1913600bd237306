// The ready line, the write token (generated, flag, environment, open writes) and
// configuration errors.
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <boost/json/parse.hpp>

#include "base/open_files.h"
#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

namespace fs = std::filesystem;

class Startup : public ServerTest {
 protected:
  int PostWithToken(const std::string& token) {
    return Request("POST", "/", JsonHeaders(token), PostJson("t", "b")).status;
  }
};

TEST_F(Startup, LineNamesUrlStoreAndThreads) {
  ServerOptions options;
  options.args = {"--threads", "3"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  const serve::ReadyLine& line = server_->ready();
  EXPECT_EQ(line.host, "127.0.0.1");
  EXPECT_NE(line.port, 0);
  EXPECT_EQ(line.url(), "http://127.0.0.1:" + std::to_string(line.port));
  EXPECT_EQ(line.store, "sqlite:" + fs::canonical(data_dir_.path()).string() + "/blog.db");
  EXPECT_EQ(line.threads, 3);
}

TEST_F(Startup, GeneratesATokenFileWithMode0600InTheDbFolder) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::optional<std::string> token_file = server_->ready().token_file();
  ASSERT_TRUE(token_file.has_value()) << server_->ready().writes;
  const fs::path token_path = *token_file;
  EXPECT_EQ(fs::canonical(token_path.parent_path()), fs::canonical(data_dir_.path()));
  EXPECT_EQ(token_path.filename(), "write-token");
  struct stat info {};
  ASSERT_EQ(::stat(token_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_TRUE(std::regex_match(server_->token(), std::regex("[0-9a-f]{64}"))) << server_->token();
  EXPECT_EQ(PostWithToken(server_->token()), 303);
  EXPECT_EQ(PostWithToken(""), 401);
}

TEST_F(Startup, ReusesTheTokenFileAfterARestart) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string first_token = server_->token();
  ASSERT_FALSE(first_token.empty());
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  EXPECT_EQ(server_->token(), first_token);
  EXPECT_EQ(PostWithToken(first_token), 303);
}

TEST_F(Startup, WriteTokenFlagSetsTheToken) {
  ServerOptions options;
  options.args = {"--write-token", "flag-secret-0123456789"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  EXPECT_EQ(server_->ready().writes, "write token from --write-token");
  EXPECT_EQ(PostWithToken("flag-secret-0123456789"), 303);
  EXPECT_EQ(PostWithToken("flag-secret-012345678X"), 401);
}

TEST_F(Startup, WriteTokenEnvironmentSetsTheToken) {
  ServerOptions options;
  options.env = {"FOURDOLLAR_WRITE_TOKEN=env-secret-0123456789"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  EXPECT_EQ(server_->ready().writes, "write token from FOURDOLLAR_WRITE_TOKEN");
  EXPECT_EQ(PostWithToken("env-secret-0123456789"), 303);
  EXPECT_EQ(PostWithToken("other"), 401);
}

TEST_F(Startup, OpenWritesLetsAnyonePost) {
  ServerOptions options;
  options.args = {"--open-writes"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  EXPECT_EQ(server_->ready().writes, "open writes: anyone can post (--open-writes)");
  EXPECT_EQ(Request("POST", "/", {{"Content-Type", "application/json"}}, PostJson("t", "b")).status,
            303);
}

TEST_F(Startup, ListenAddressFromTheEnvironment) {
  ServerOptions options;
  options.listen_on_free_port = false;
  options.env = {"FOURDOLLAR_LISTEN=127.0.0.1:0"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(Startup, DefaultStoreIsDataBlogDbUnderTheWorkingDirectory) {
  ServerOptions options;
  options.sqlite_in_data_dir = false;
  options.working_dir = data_dir_.path();
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  EXPECT_EQ(server_->ready().store,
            "sqlite:" + fs::canonical(data_dir_.path()).string() + "/data/blog.db");
  EXPECT_TRUE(fs::exists(data_dir_.path() / "data" / "blog.db"));
  EXPECT_EQ(PostWithToken(server_->token()), 303);
}

TEST_F(Startup, ReadyFileHoldsWhatTheLineSays) {
  const fs::path ready_file = data_dir_.path() / "ready.json";
  ServerOptions options;
  options.args = {"--ready-file", ready_file.string()};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  // Written before the line was printed.
  std::ifstream in(ready_file);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code error;
  boost::json::value json = boost::json::parse(text.str(), error);
  ASSERT_FALSE(error) << text.str();
  const serve::ReadyLine& line = server_->ready();
  EXPECT_EQ(json.at("url").as_string(), line.url());
  EXPECT_EQ(json.at("host").as_string(), line.host);
  EXPECT_EQ(json.at("port").to_number<int>(), line.port);
  EXPECT_EQ(json.at("store").as_string(), line.store);
  EXPECT_EQ(json.at("threads").to_number<int>(), line.threads);
  EXPECT_EQ(json.at("writes").as_string(), line.writes);
  EXPECT_EQ(json.at("token_file").as_string(), *line.token_file());
  EXPECT_EQ(Get("/healthz").status, 200);
}

// Linux grows a process's descriptor table by doubling it, and once the process has threads
// each growth stops the thread that opens the descriptor for an RCU grace period (milliseconds):
// the server sizes its table for every connection it may hold before its loops start.
TEST_F(Startup, SizesItsDescriptorTableForEveryConnectionBeforeServing) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  const uint64_t wanted = std::min<uint64_t>(3000 + kDescriptorsBesideConnections, limit.rlim_max);
  ASSERT_GT(wanted, 1024u) << "the hard open-file limit (" << limit.rlim_max << ") is too low";
  ServerOptions options;
  options.args = {"--max-connections", "3000"};
  ASSERT_NO_FATAL_FAILURE(StartServer(options));
  EXPECT_GE(FileDescriptorTableSize(server_->pid()), wanted);
  EXPECT_EQ(Get("/healthz").status, 200);
}

struct BadConfig {
  const char* name;
  std::vector<std::string> args;
  std::vector<std::string> env;
  bool listen_on_free_port = true;
};

void PrintTo(const BadConfig& c, std::ostream* out) { *out << c.name; }

class ConfigError : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigError, ExitsWithCode2AndAMessage) {
  TempDir data_dir;
  ServerOptions options;
  options.args = GetParam().args;
  options.env = GetParam().env;
  options.listen_on_free_port = GetParam().listen_on_free_port;
  auto result = RunToExit(data_dir.path(), options);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->exit_code, 2) << result->stderr_text;
  EXPECT_FALSE(result->stderr_text.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigError,
    ::testing::Values(
        BadConfig{"UnknownFlag", {"--no-such-flag"}, {}},
        BadConfig{"ListenWithoutPort", {"--listen", "127.0.0.1"}, {}},
        BadConfig{"ListenBadPort", {"--listen", "127.0.0.1:70000"}, {}},
        BadConfig{"ListenBadHost", {"--listen", "not a host:80"}, {}},
        BadConfig{"ThreadsNotANumber", {"--threads", "many"}, {}},
        BadConfig{"ThreadsNegative", {"--threads", "-1"}, {}},
        BadConfig{"CacheNotANumber", {"--cache-mb", "lots"}, {}},
        BadConfig{"RequestTimeoutNotANumber", {"--request-timeout-ms", "soon"}, {}},
        BadConfig{"UnknownStoreScheme", {"--db", "mysql://localhost/blog"}, {}},
        BadConfig{"EmptyWriteToken", {"--write-token", ""}, {}},
        BadConfig{"ShortWriteToken", {"--write-token", "short"}, {}},
        BadConfig{
            "ReadyFileInAMissingFolder", {"--ready-file", "/nonexistent-folder/ready.json"}, {}},
        BadConfig{"ThreadsFromEnvironmentNotANumber", {}, {"FOURDOLLAR_THREADS=many"}},
        BadConfig{"ListenFromEnvironmentBad", {}, {"FOURDOLLAR_LISTEN=nowhere"}, false}),
    [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace fourdollar::e2e
