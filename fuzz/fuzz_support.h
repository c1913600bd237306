// What the fuzz targets share: a failed invariant that libFuzzer (and the replay test) reports
// as a crash, and a scratch folder for targets whose code under test reads files.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace fourdollar::fuzz {

// Prints what broke and aborts: the input that got here is a finding.
[[noreturn]] inline void Fail(std::string_view what) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void Check(bool holds, std::string_view what) {
  if (!holds) Fail(what);
}

// A folder made once per process and removed at exit. In /dev/shm when there is one: the
// targets write files for every input, and fsync there costs nothing.
inline const std::filesystem::path& ScratchFolder() {
  // Never destroyed, so the exit handler that removes the folder can still read its name.
  static const std::filesystem::path* const folder = [] {
    std::string base = "/dev/shm";
    if (::access(base.c_str(), W_OK) != 0) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string pattern = base + "/fourdollar-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) Fail("cannot make a scratch folder in " + base);
    return new std::filesystem::path(pattern);
  }();
  static const bool removed_at_exit = [] {
    return std::atexit([] {
             std::error_code ec;
             std::filesystem::remove_all(*folder, ec);
           }) == 0;
  }();
  (void)removed_at_exit;
  return *folder;
}

inline void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) Fail("cannot write " + path.string());
}

}  // namespace fourdollar::fuzz
