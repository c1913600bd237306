// Fuzz target: a results folder through the reader `fourdollar report DIR` uses
// (report::LoadInputs, which reads summary.json, histograms.txt, seconds.csv and scrape.csv with
// results::ReadResults). The input holds the four files in that order, separated by lines that are
// exactly "%%"; files the input does not reach are missing. A folder that reads well must also
// merge with itself (two segments of one test) into twice its requests.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "fuzz_support.h"
#include "report/inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar;
  static const char* const kFiles[] = {"summary.json", "histograms.txt", "seconds.csv",
                                       "scrape.csv"};
  const std::filesystem::path folder = fuzz::ScratchFolder() / "results";
  std::filesystem::create_directories(folder);
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (const char* name : kFiles) {
    const std::filesystem::path path = folder / name;
    if (rest.data() == nullptr) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      continue;
    }
    size_t end = rest.starts_with("%%\n") ? 0 : rest.find("\n%%\n");
    if (end == std::string_view::npos) {
      fuzz::WriteFile(path, rest);
      rest = std::string_view();
      continue;
    }
    if (end != 0) ++end;  // the file keeps its last line break
    fuzz::WriteFile(path, rest.substr(0, end));
    rest.remove_prefix(end + 3);
  }

  Result<report::LoadedRun> one = report::LoadInputs({folder.string()});
  if (!one) {
    fuzz::Check(!one.error().message.empty(), "a refusal without a message");
    return 0;
  }
  const results::Results& results = one->results;
  for (size_t i = 1; i < results.seconds.size(); ++i) {
    fuzz::Check(results.seconds[i].second > results.seconds[i - 1].second,
                "the seconds are not in ascending order");
  }
  Result<report::LoadedRun> two = report::LoadInputs({folder.string(), folder.string()});
  fuzz::Check(two.has_value(), "a folder that reads well does not merge with itself: " +
                                   (two ? std::string() : two.error().message));
  fuzz::Check(two->results.overall.requests == 2 * results.overall.requests,
              "merging a folder with itself does not double its requests");
  return 0;
}
