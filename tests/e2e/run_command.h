// What end-to-end tests use to reach outside the process: an environment variable,
// and a shell command run to completion.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "base/result.h"

namespace fourdollar::e2e {

// The variable's value; nullopt when it is unset or empty.
inline std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// Runs a shell command; its stdout and stderr without the trailing newline, or an error with its
// status and output.
inline Result<std::string> RunCommand(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return ErrnoError("popen " + command, errno);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  if (status != 0) {
    return MakeError(ErrorCode::kIo,
                     command + " failed (status " + std::to_string(status) + "): " + output);
  }
  return output;
}

}  // namespace fourdollar::e2e
