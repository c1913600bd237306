// Replays a fuzz target's inputs without libFuzzer, for the normal build's ctest: every file in
// the folders named on the command line (the seed corpus and the regressions), in name order,
// through the target's LLVMFuzzerTestOneInput. A broken invariant aborts, naming the file first.
// A folder that does not exist counts as empty (no regression kept yet); hidden files are
// skipped. Each input ends where an unreadable page begins, so that a read past its end crashes
// here as it does under libFuzzer, even in a library built without the sanitizers (md4c).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Runs the target on a copy of `bytes` that ends at the start of a PROT_NONE page.
void RunAgainstGuardPage(const std::string& bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t data_pages = (bytes.size() + page - 1) / page;
  const size_t length = (data_pages + 1) * page;
  void* mapped = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) {
    std::perror("replay: mmap");
    std::exit(1);
  }
  auto* base = static_cast<uint8_t*>(mapped);
  uint8_t* guard = base + data_pages * page;
  if (mprotect(guard, page, PROT_NONE) != 0) {
    std::perror("replay: mprotect");
    std::exit(1);
  }
  uint8_t* data = guard - bytes.size();
  std::copy(bytes.begin(), bytes.end(), data);
  LLVMFuzzerTestOneInput(data, bytes.size());
  munmap(mapped, length);
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(argv[i], ec)) {
      if (entry.is_regular_file() && !entry.path().filename().string().starts_with(".")) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      std::ifstream in(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.eof() && in.fail()) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
        return 1;
      }
      std::printf("replay: %s\n", path.c_str());
      std::fflush(stdout);
      RunAgainstGuardPage(bytes);
      ++replayed;
    }
  }
  if (replayed == 0) {
    std::fprintf(stderr, "replay: no inputs in the folders given\n");
    return 1;
  }
  std::printf("replay: %zu inputs, every invariant held\n", replayed);
  return 0;
}
