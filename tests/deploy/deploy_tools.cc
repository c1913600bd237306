#include "deploy_tools.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

namespace fourdollar::deploy {

std::filesystem::path SourceDir() { return FOURDOLLAR_SOURCE_DIR; }

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  char err_path[] = "/tmp/fourdollar-deploy-test-XXXXXX";
  int err_fd = mkstemp(err_path);
  if (err_fd < 0) {
    result.err = "mkstemp failed";
    return result;
  }
  close(err_fd);
  std::string full = "(" + command + ") </dev/null 2>" + ShellQuote(err_path);
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) {
    std::remove(err_path);
    result.err = "popen failed";
    return result;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.err = ReadFile(err_path);
  std::remove(err_path);
  return result;
}

bool OnPath(const std::string& name) {
  return RunCommand("command -v " + ShellQuote(name) + " >/dev/null").exit_code == 0;
}

namespace {

std::optional<Kubectl> AskVersion(const std::string& path) {
  CommandResult answer = RunCommand(ShellQuote(path) + " version --client -o json");
  if (answer.exit_code != 0) return std::nullopt;
  // {"clientVersion": {"major": "1", "minor": "32", "gitVersion": "v1.32.4-dispatcher", ...}}
  YAML::Node json;
  try {
    json = YAML::Load(answer.out);
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
  const std::string git_version = json["clientVersion"]["gitVersion"].as<std::string>("");
  std::smatch match;
  static const std::regex kVersion(R"(^v(\d+)\.(\d+)\.(\d+))");
  if (!std::regex_search(git_version, match, kVersion)) return std::nullopt;
  return Kubectl{.path = path,
                 .major = std::stoi(match[1]),
                 .minor = std::stoi(match[2]),
                 .version = match[0]};
}

}  // namespace

std::optional<Kubectl> FindNewestKubectl() {
  std::vector<std::string> candidates;
  if (const char* chosen = std::getenv("FOURDOLLAR_KUBECTL"); chosen && *chosen) {
    candidates.push_back(chosen);
  } else {
    CommandResult on_path = RunCommand("command -v kubectl");
    if (on_path.exit_code == 0) {
      std::string path = on_path.out.substr(0, on_path.out.find('\n'));
      candidates.push_back(path);
    }
    // Debian's kubernetes-client, a downloaded one, the Google Cloud SDK's.
    for (const char* path : {"/usr/bin/kubectl", "/usr/local/bin/kubectl",
                             "/usr/lib/google-cloud-sdk/bin/kubectl", "/snap/bin/kubectl"}) {
      candidates.push_back(path);
    }
  }
  std::set<std::filesystem::path> seen;
  std::optional<Kubectl> newest;
  for (const std::string& path : candidates) {
    std::error_code ec;
    std::filesystem::path real = std::filesystem::canonical(path, ec);
    if (ec || !seen.insert(real).second) continue;
    std::optional<Kubectl> found = AskVersion(path);
    if (!found) continue;
    if (!newest || std::tie(found->major, found->minor) > std::tie(newest->major, newest->minor)) {
      newest = found;
    }
  }
  return newest;
}

std::vector<YAML::Node> ParseDocuments(const std::string& text) {
  std::vector<YAML::Node> documents;
  for (const YAML::Node& node : YAML::LoadAll(text)) {
    if (node.IsDefined() && !node.IsNull()) documents.push_back(node);
  }
  return documents;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace fourdollar::deploy
