// A temporary folder for tests: made fresh under the system's temporary folder, removed with
// everything in it when the TempDir goes. The one copy for the unit tests of src/ and the tests
// of tests/.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace fourdollar::test_support {

class TempDir {
 public:
  // Makes PREFIX-XXXXXX (mkdtemp) under std::filesystem::temp_directory_path(); aborts, saying
  // why, when it cannot, since no test can go on without its folder.
  explicit TempDir(std::string_view prefix = "fourdollar-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string.
  std::string File(std::string_view name) const;
  // Writes `content` to path() / name, replacing it; aborts, saying why, when it cannot.
  void Write(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace fourdollar::test_support
