#include "report/file_chunks.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/unique_fd.h"

namespace fourdollar::report {
namespace {

constexpr size_t kInflateStepBytes = 8 << 20;
constexpr size_t kMinInflateStepBytes = 64 << 10;

Status InflateAll(const std::string& path, const unsigned char* data, size_t size,
                  const ChunkConsumer& consume) {
  z_stream stream{};
  // 15 + 32: a window of 32 KiB, gzip or zlib header detected automatically.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) {
    return MakeError(ErrorCode::kResourceExhausted, path + ": cannot start zlib");
  }
  stream.next_in = const_cast<unsigned char*>(data);  // zlib's API is not const-correct
  stream.avail_in = 0;
  size_t fed = 0;
  // A small file gets a small buffer (it need not fill 8 MiB with zeros first): CSV inflates
  // about tenfold, so eight times the compressed size takes it in a step or two.
  const size_t step_bytes =
      size < kInflateStepBytes / 8 ? std::max(size * 8, kMinInflateStepBytes) : kInflateStepBytes;
  std::vector<char> buffer;
  size_t kept = 0;  // bytes at the front of buffer not consumed yet
  Status status;
  bool done = false;
  while (!done) {
    buffer.resize(kept + step_bytes);
    stream.next_out = reinterpret_cast<unsigned char*>(buffer.data() + kept);
    stream.avail_out = static_cast<uInt>(step_bytes);
    while (stream.avail_out > 0) {
      if (stream.avail_in == 0 && fed < size) {
        const size_t step = std::min<size_t>(size - fed, 1 << 30);
        stream.next_in = const_cast<unsigned char*>(data + fed);
        stream.avail_in = static_cast<uInt>(step);
        fed += step;
      }
      const int rc = inflate(&stream, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow (files concatenated with cat).
        if (stream.avail_in == 0 && fed == size) {
          done = true;
          break;
        }
        inflateReset(&stream);
        continue;
      }
      if (rc == Z_BUF_ERROR && stream.avail_in == 0 && fed == size) {
        status = MakeError(ErrorCode::kInvalidArgument, path + ": truncated gzip data");
        break;
      }
      if (rc != Z_OK) {
        status = MakeError(ErrorCode::kInvalidArgument,
                           path + ": corrupt gzip data (" +
                               (stream.msg != nullptr ? stream.msg : "zlib error") + ")");
        break;
      }
    }
    if (!status) break;
    const size_t have = kept + (step_bytes - stream.avail_out);
    const size_t used = consume(std::string_view(buffer.data(), have), done);
    kept = have - std::min(used, have);
    if (kept > 0 && used > 0) std::memmove(buffer.data(), buffer.data() + used, kept);
  }
  inflateEnd(&stream);
  return status;
}

}  // namespace

Status ReadChunks(const std::string& path, const ChunkConsumer& consume) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return ErrnoError("stat " + path, errno);
  if (!S_ISREG(info.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": not a regular file");
  }
  const size_t size = static_cast<size_t>(info.st_size);
  if (size == 0) {
    consume(std::string_view(), true);
    return {};
  }
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (mapped == MAP_FAILED) return ErrnoError("mmap " + path, errno);
  ::madvise(mapped, size, MADV_SEQUENTIAL);
  const auto* bytes = static_cast<const unsigned char*>(mapped);
  Status status;
  if (size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    status = InflateAll(path, bytes, size, consume);
  } else {
    consume(std::string_view(static_cast<const char*>(mapped), size), true);
  }
  ::munmap(mapped, size);
  return status;
}

}  // namespace fourdollar::report
