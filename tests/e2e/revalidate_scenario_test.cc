// scenarios/examples/browsers.yaml against the real server: readers that revalidate get 304s
// for the pages they have seen, the results count them per step name, and every check (run on
// the stored page when the answer is a 304) holds.
#include <string>

#include "e2e/load_process.h"
#include "e2e/server_fixture.h"
#include "results/results_files.h"

namespace fourdollar::e2e {
namespace {

class RevalidateScenario : public ServerTest {};

const results::NameSecond* FiguresOf(const results::Results& results, const std::string& name) {
  for (size_t i = 0; i < results.run.names.size(); ++i) {
    if (results.run.names[i] != name) continue;
    auto it = results.names.find(static_cast<uint32_t>(i));
    return it == results.names.end() ? nullptr : &it->second;
  }
  return nullptr;
}

uint64_t CountOf(const results::NameSecond& figures, int status) {
  auto it = figures.by_status.find(status);
  return it == figures.by_status.end() ? 0 : it->second;
}

TEST_F(RevalidateScenario, RevalidatingReadersGet304sThatTheResultsCount) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(CreatePost("Post " + std::to_string(i), "Some text.").status, 303);
  }
  const std::string scenario =
      std::string(FOURDOLLAR_SOURCE_DIR) + "/scenarios/examples/browsers.yaml";
  const std::string out = (data_dir_.path() / "out").string();
  Result<LoadRun> run =
      RunLoadToExit(data_dir_.path(), {"load", scenario, "--target", server_->ready().url(),
                                       "--out", out, "--stages=100ms:3,3s:3", "--env",
                                       "FOURDOLLAR_WRITE_TOKEN=" + server_->token()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 0) << run->stderr_text << run->stdout_text;
  EXPECT_NE(run->stdout_text.find("304: "), std::string::npos) << run->stdout_text;

  Result<results::Results> results = results::ReadResults(out);
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_EQ(results->checks_failed, 0u);
  EXPECT_GT(results->checks_passed, 0u);
  for (const char* name : {"list", "open post"}) {
    const results::NameSecond* figures = FiguresOf(*results, name);
    ASSERT_NE(figures, nullptr) << name;
    // The first visit of each page is a full answer; the later ones are revalidations.
    EXPECT_GT(CountOf(*figures, 200), 0u) << name;
    EXPECT_GT(CountOf(*figures, 304), 0u) << name;
    EXPECT_EQ(figures->failed(), 0u) << name;
  }
}

}  // namespace
}  // namespace fourdollar::e2e
