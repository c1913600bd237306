// A small filesystem that the test fills up, for the disk-full tests of both stores: a tmpfs
// mounted in a mount namespace of the calling thread's own (unshare(CLONE_NEWNS)), invisible to
// the rest of the machine; what the thread starts afterwards (the server, a PostgreSQL cluster)
// shares that namespace. Needs the right to mount (root, as in CI).
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace fourdollar::e2e {

// Moves the calling thread to a mount namespace of its own, with every mount private, and
// mounts a tmpfs of `size` ("16m") over `dir` with `options` added ("uid=..,gid=.."). An error
// says which step failed and why.
inline Status MountPrivateTmpfs(const std::filesystem::path& dir, const std::string& size,
                                const std::string& options = "") {
  if (::unshare(CLONE_NEWNS) != 0) {
    return ErrnoError("cannot make a private mount namespace (needs root or CAP_SYS_ADMIN)", errno);
  }
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return ErrnoError("cannot make the mounts private", errno);
  }
  std::string data = "size=" + size + ",mode=0700";
  if (!options.empty()) data += "," + options;
  if (::mount("fourdollar-disk-full", dir.c_str(), "tmpfs", 0, data.c_str()) != 0) {
    return ErrnoError("cannot mount a " + size + " tmpfs on " + dir.string(), errno);
  }
  return {};
}

// Writes zeros to `path` until the filesystem refuses with ENOSPC; returns the bytes written.
inline Result<size_t> FillUp(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("open " + path.string(), errno);
  const std::string chunk(64 * 1024, '\0');
  size_t written = 0;
  // Big chunks first, then single pages for the last partial chunk.
  for (size_t size : {chunk.size(), size_t{4096}}) {
    for (;;) {
      ssize_t n = ::write(fd.get(), chunk.data(), size);
      if (n > 0) {
        written += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != ENOSPC) return ErrnoError("write " + path.string(), errno);
      break;
    }
  }
  return written;
}

}  // namespace fourdollar::e2e
