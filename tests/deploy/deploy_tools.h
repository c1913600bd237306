// What the deployment tests share: run a tool and capture what it prints, find the newest
// kubectl, parse multi-document YAML, read files of the repository.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fourdollar::deploy {

// The repository's root folder (FOURDOLLAR_SOURCE_DIR, set by CMake).
std::filesystem::path SourceDir();

// What a command printed, and how it ended.
struct CommandResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  std::string err;
};

// Runs `command` through /bin/sh with stdin from /dev/null; stdout and stderr kept apart.
CommandResult RunCommand(const std::string& command);

// Quotes `text` for /bin/sh.
std::string ShellQuote(const std::string& text);

// Whether an executable named `name` is on PATH.
bool OnPath(const std::string& name);

// A kubectl and its client version.
struct Kubectl {
  std::string path;
  int major = 0;
  int minor = 0;
  std::string version;  // as it printed it, "v1.32.4"
};

// The newest kubectl among FOURDOLLAR_KUBECTL (when set, the only candidate), `kubectl` on PATH
// and the usual install folders; std::nullopt when none answers `kubectl version --client`.
std::optional<Kubectl> FindNewestKubectl();

// Every non-empty document of a YAML stream.
std::vector<YAML::Node> ParseDocuments(const std::string& text);

// The whole file; an empty string when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

}  // namespace fourdollar::deploy
