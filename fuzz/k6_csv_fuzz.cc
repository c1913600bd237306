// Fuzz target: k6 CSV through the reader `fourdollar report` uses (report/k6_csv.h). The bytes
// are read three ways that must agree: from memory (ParseK6Csv), from a plain file (mapped) and
// from a gzip file (inflated by zlib), both through ReadK6Csv, as `report FILE` reads them.
// Inputs that start with the gzip magic bytes are read from the file as gzip, raw.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "report/k6_csv.h"

namespace fourdollar::fuzz {
namespace {

std::string Gzip(std::string_view text) {
  z_stream stream{};
  // 15 + 16: a gzip header and trailer around the deflate data.
  Check(deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK,
        "deflateInit2");
  std::string out(deflateBound(&stream, text.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  Check(deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflate");
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

bool SameImport(const Result<report::K6Import>& a, const Result<report::K6Import>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;  // the messages name different files
  return a->data_lines == b->data_lines && a->skipped_lines == b->skipped_lines &&
         a->skipped_examples.size() == b->skipped_examples.size() &&
         a->results.run.names == b->results.run.names &&
         a->results.run.start_unix_ms == b->results.run.start_unix_ms &&
         a->results.run.duration_ms == b->results.run.duration_ms &&
         a->results.seconds == b->results.seconds;
}

}  // namespace
}  // namespace fourdollar::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fourdollar;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string plain = (fuzz::ScratchFolder() / "k6.csv").string();
  const std::string gzip = (fuzz::ScratchFolder() / "k6.csv.gz").string();

  Result<report::K6Import> in_memory = report::ParseK6Csv(text, "k6.csv");
  if (in_memory) {
    const results::Results& results = in_memory->results;
    fuzz::Check(in_memory->skipped_lines <= in_memory->data_lines, "skipped more lines than read");
    fuzz::Check(results.seconds.empty() ||
                    results.run.duration_ms == static_cast<int64_t>(results.seconds.size()) * 1000,
                "the duration does not match the seconds");
  }

  fuzz::WriteFile(plain, text);
  Result<report::K6Import> from_file = report::ReadK6Csv(plain);
  const bool gzip_magic = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (!gzip_magic) {
    fuzz::Check(fuzz::SameImport(in_memory, from_file), "a plain file reads unlike the same text");
    fuzz::WriteFile(gzip, fuzz::Gzip(text));
    fuzz::Check(fuzz::SameImport(in_memory, report::ReadK6Csv(gzip)),
                "a gzip file reads unlike the same text");
  }
  return 0;
}
