#include "serve/write_token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

namespace fourdollar::serve {

namespace {

Result<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t filled = 0;
  while (filled < bytes) {
    ssize_t n = getrandom(raw.data() + filled, bytes - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("getrandom", errno);
    filled += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return MakeError(ErrorCode::kIo, "cannot read the write token file " + path);
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < 32 || token.size() > 256) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ": the write token must be 32 to 256 characters, found " +
                         std::to_string(token.size()));
  }
  for (char c : token) {
    if (c <= ' ' || c > '~') {
      return MakeError(ErrorCode::kInvalidArgument,
                       path + ": the write token may hold only printable ASCII without spaces");
    }
  }
  return token;
}

}  // namespace

Result<std::string> LoadOrCreateTokenFile(const std::string& path) {
  std::error_code ec;
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty() && !std::filesystem::exists(folder, ec)) {
    std::filesystem::create_directories(folder, ec);
    if (ec)
      return MakeError(ErrorCode::kIo, "cannot create " + folder.string() + ": " + ec.message());
    ::chmod(folder.c_str(), 0700);
  }
  if (std::filesystem::exists(path, ec)) return ReadToken(path);
  Result<std::string> token = RandomHex(32);
  if (!token) return token;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return ReadToken(path);  // another instance made it first
  if (fd < 0) return ErrnoError("create " + path, errno);
  std::string line = *token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) return ErrnoError("write " + path, errno);
  return token;
}

}  // namespace fourdollar::serve
