// Starting the fourdollar binary as a child process of a test: the one fork and exec that the
// server and load generator helpers share.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace fourdollar::e2e {

// FOURDOLLAR_BINARY (ctest sets it to the built fourdollar), or an error saying it is unset.
Result<std::string> BinaryPath();

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the program
  std::vector<std::string> env;   // the child's whole environment, NAME=value each
  // Put on the child's stdin, stdout and stderr; the caller keeps (and closes) them.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::filesystem::path net_namespace;  // a network namespace file to enter (/run/netns/NAME)
  std::filesystem::path working_dir;    // empty: the test's own
};

struct Child {
  pid_t pid = -1;
  UniqueFd pidfd;  // readable once the child exited
};

// Forks and execs `spec`. The child starts with an empty signal mask and is killed when the
// test process dies (PR_SET_PDEATHSIG), so no test leaves one behind.
Result<Child> SpawnChild(ChildSpec spec);

}  // namespace fourdollar::e2e
