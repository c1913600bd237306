// scenarios/examples/editors.yaml against the real server: every iteration creates, edits and
// deletes a post, and every check holds.
#include <string>
#include <vector>

#include "e2e/load_process.h"
#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class EditorsScenario : public ServerTest {};

TEST_F(EditorsScenario, CreatesEditsAndDeletesWithEveryCheckPassing) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string scenario =
      std::string(FOURDOLLAR_SOURCE_DIR) + "/scenarios/examples/editors.yaml";
  Result<LoadRun> run = RunLoadToExit(
      data_dir_.path(), {"load", scenario, "--target", server_->ready().url(), "--out",
                         (data_dir_.path() / "out").string(), "--stages=2s:2", "--env",
                         "FOURDOLLAR_WRITE_TOKEN=" + server_->token()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 0) << run->stderr_text << run->stdout_text;
  EXPECT_NE(run->stdout_text.find("checks ...............: 100.00%"), std::string::npos)
      << run->stdout_text;
  for (const char* status : {"303: ", "204: ", "410: "}) {
    EXPECT_NE(run->stdout_text.find(status), std::string::npos) << status << run->stdout_text;
  }
  // Each iteration deleted what it created; an iteration cut short by the end may leave one.
  EXPECT_LE(ParseListLinks(Get("/").body).size(), 2u);
}

}  // namespace
}  // namespace fourdollar::e2e
