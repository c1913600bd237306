// Checks the Dockerfile against the binary built here: its runtime stage must install the
// Debian package of every library the binary links, and libpq5, which it loads for postgres://.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "deploy_tools.h"

namespace fourdollar::deploy {
namespace {

// A sanitizer build's libraries (the sanitizer's runtime) are not the image's, which builds the
// Release preset: there the test does not exist, rather than skip.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

// The packages `apt-get install` names in the runtime (last) stage.
std::set<std::string> RuntimePackages(const std::string& dockerfile) {
  std::string runtime = dockerfile.substr(dockerfile.rfind("\nFROM "));
  std::smatch install;
  std::set<std::string> packages;
  if (!std::regex_search(
          runtime, install,
          std::regex(R"(apt-get install -y -q --no-install-recommends \\\n([^&]*)&&)"))) {
    return packages;
  }
  std::istringstream words(install[1].str());
  for (std::string word; words >> word;) {
    if (word != "\\") packages.insert(word);
  }
  return packages;
}

TEST(Dockerfile, RuntimeStageInstallsEveryLibraryTheBinaryLinks) {
  const char* binary = std::getenv("FOURDOLLAR_BINARY");
  ASSERT_TRUE(binary != nullptr) << "FOURDOLLAR_BINARY is not set (ctest sets it)";
  if (!OnPath("dpkg")) GTEST_SKIP() << "no dpkg here to name the libraries' packages";
  std::set<std::string> installed = RuntimePackages(ReadFile(SourceDir() / "Dockerfile"));
  ASSERT_FALSE(installed.empty()) << "no apt-get install line in the Dockerfile's last stage";
  // debian:bookworm-slim has these already: apt itself needs them.
  for (const char* in_base : {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}) {
    installed.insert(in_base);
  }
  // Each library ldd resolves, by its real path, to the package that ships it.
  CommandResult libraries =
      RunCommand("ldd " + ShellQuote(binary) + " | awk '$3 ~ /^\\// {print $3}'");
  ASSERT_EQ(libraries.exit_code, 0) << libraries.err;
  std::istringstream lines(libraries.out);
  int checked = 0;
  for (std::string library; std::getline(lines, library);) {
    CommandResult owner = RunCommand("dpkg -S \"$(readlink -f " + ShellQuote(library) +
                                     ")\" || dpkg -S " + ShellQuote(library));
    ASSERT_EQ(owner.exit_code, 0) << library << ": " << owner.err;
    std::string package = owner.out.substr(0, owner.out.find(':'));
    EXPECT_TRUE(installed.count(package)) << library << " comes from " << package;
    ++checked;
  }
  EXPECT_GE(checked, 5);
  EXPECT_TRUE(installed.count("libpq5")) << "libpq5: dlopen'ed for postgres:// stores";
}
#endif

}  // namespace
}  // namespace fourdollar::deploy
