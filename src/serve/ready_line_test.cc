#include "serve/ready_line.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fourdollar::serve {
namespace {

ReadyLine Sample() {
  return ReadyLine{.host = "127.0.0.1",
                   .port = 41234,
                   .store = "sqlite:/tmp/x/blog.db",
                   .threads = 2,
                   .writes = "write token in /tmp/x/write-token"};
}

TEST(ReadyLine, FormatsTheLineServePrints) {
  EXPECT_EQ(FormatReadyLine(Sample()),
            "fourdollar: listening on http://127.0.0.1:41234 | store sqlite:/tmp/x/blog.db | "
            "threads 2 | write token in /tmp/x/write-token");
}

TEST(ReadyLine, ParsesWhatItFormats) {
  auto line = ParseReadyLine(FormatReadyLine(Sample()));
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(line->url(), "http://127.0.0.1:41234");
  EXPECT_EQ(line->host, "127.0.0.1");
  EXPECT_EQ(line->port, 41234);
  EXPECT_EQ(line->store, "sqlite:/tmp/x/blog.db");
  EXPECT_EQ(line->threads, 2);
  EXPECT_EQ(line->token_file(), "/tmp/x/write-token");
  EXPECT_FALSE(line->open_writes());
}

TEST(ReadyLine, ReadsOpenWrites) {
  auto line = ParseReadyLine(
      "fourdollar: listening on http://127.0.0.1:8080 | store sqlite:b.db | threads 2 | open "
      "writes: anyone can post (--open-writes)");
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_TRUE(line->open_writes());
  EXPECT_FALSE(line->token_file());
}

TEST(ReadyLine, KeepsASeparatorInsideTheTokenPath) {
  auto line = ParseReadyLine(
      "fourdollar: listening on http://0.0.0.0:80 | store sqlite:/a/b.db | threads 1 | write "
      "token in /a | b/write-token");
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(line->token_file(), "/a | b/write-token");
}

TEST(ReadyLine, ReadsAnIpv6Host) {
  auto line = ParseReadyLine(
      "fourdollar: listening on http://[::1]:8080 | store s | threads 1 | write token from "
      "--write-token");
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(line->host, "[::1]");
  EXPECT_EQ(line->port, 8080);
}

TEST(ReadyLine, RefusesOtherLines) {
  auto line = ParseReadyLine("fourdollar: --db: cannot open");
  ASSERT_FALSE(line);
  EXPECT_NE(line.error().message.find("cannot open"), std::string::npos);
}

TEST(ReadyLine, RefusesUrlWithoutPort) {
  EXPECT_FALSE(ParseReadyLine("fourdollar: listening on 127.0.0.1:80"));
  EXPECT_FALSE(ParseReadyLine(
      "fourdollar: listening on http://127.0.0.1 | store s | threads 1 | write token in /t"));
  EXPECT_FALSE(ParseReadyLine(
      "fourdollar: listening on http://127.0.0.1:70000 | store s | threads 1 | write token in /t"));
}

TEST(ReadyLine, RefusesMissingThreads) {
  EXPECT_FALSE(ParseReadyLine(
      "fourdollar: listening on http://127.0.0.1:80 | store s | cores 1 | write token in /t"));
}

TEST(ReadyLine, FindsTheFirstCompleteReadyLine) {
  EXPECT_FALSE(FindReadyLine("fourdollar: warning: x\nfourdollar: listening on http://a:1 | s"));
  EXPECT_EQ(FindReadyLine("fourdollar: warning: x\nfourdollar: listening on http://a:1\nmore\n"),
            "fourdollar: listening on http://a:1");
}

TEST(ReadyLine, ReadyFileHoldsTheSameFactsAsJson) {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("ready-line-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const std::string path = (folder / "ready.json").string();
  ASSERT_TRUE(WriteReadyFile(path, Sample()));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  boost::json::object json = boost::json::parse(text.str()).as_object();
  EXPECT_EQ(json.at("url").as_string(), "http://127.0.0.1:41234");
  EXPECT_EQ(json.at("host").as_string(), "127.0.0.1");
  EXPECT_EQ(json.at("port").to_number<int>(), 41234);
  EXPECT_EQ(json.at("store").as_string(), "sqlite:/tmp/x/blog.db");
  EXPECT_EQ(json.at("threads").to_number<int>(), 2);
  EXPECT_EQ(json.at("writes").as_string(), "write token in /tmp/x/write-token");
  EXPECT_EQ(json.at("token_file").as_string(), "/tmp/x/write-token");
  // Nothing is left beside it.
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove_all(folder);
}

TEST(ReadyLine, ReadyFileFailsInAMissingFolder) {
  Status written = WriteReadyFile("/nonexistent-folder/ready.json", Sample());
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("/nonexistent-folder/ready.json"), std::string::npos);
}

}  // namespace
}  // namespace fourdollar::serve
