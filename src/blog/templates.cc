#include "blog/templates.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <kainjow/mustache.hpp>

#include "base/unique_fd.h"
#include "blog/default_templates.h"

namespace fourdollar::blog {

namespace {

constexpr size_t kMaxTemplateBytes = 1u << 20;

// Reads `path` into `*out`; false (and no error) when the file does not exist.
Result<bool> ReadIfExists(const std::string& path, std::string* out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return false;
    return ErrnoError("cannot open template " + path, errno);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return ErrnoError("cannot stat template " + path, errno);
  if (!S_ISREG(info.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, "template " + path + " is not a regular file");
  }
  std::string text;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read template " + path, errno);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxTemplateBytes) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "template " + path + " is larger than " + std::to_string(kMaxTemplateBytes) + " bytes");
    }
  }
  *out = std::move(text);
  return true;
}

Status LoadOne(const std::string& dir, const char* file_name, std::string* source) {
  std::string path = dir + "/" + file_name;
  Result<bool> found = ReadIfExists(path, source);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return {};
  if (Status ok = CheckTemplate(*source); !ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "template " + path + " is not valid Mustache: " + ok.error().message);
  }
  return {};
}

}  // namespace

Templates DefaultTemplates() {
  return Templates{std::string(kDefaultListTemplate), std::string(kDefaultPostTemplate),
                   std::string(kDefaultNotFoundTemplate), std::string(kDefaultGoneTemplate)};
}

Status CheckTemplate(const std::string& source) {
  try {
    kainjow::mustache::mustache compiled(source);
    if (!compiled.is_valid())
      return MakeError(ErrorCode::kInvalidArgument, compiled.error_message());
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, e.what());
  }
  return {};
}

Result<Templates> LoadTemplates(const std::string& dir) {
  Templates templates = DefaultTemplates();
  if (dir.empty()) return templates;
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) return ErrnoError("template directory " + dir, errno);
  if (!S_ISDIR(info.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "template directory " + dir + " is not a directory");
  }
  if (Status ok = LoadOne(dir, "list.mustache", &templates.list); !ok)
    return tl::unexpected(ok.error());
  if (Status ok = LoadOne(dir, "post.mustache", &templates.post); !ok)
    return tl::unexpected(ok.error());
  if (Status ok = LoadOne(dir, "not_found.mustache", &templates.not_found); !ok) {
    return tl::unexpected(ok.error());
  }
  if (Status ok = LoadOne(dir, "gone.mustache", &templates.gone); !ok) {
    return tl::unexpected(ok.error());
  }
  return templates;
}

}  // namespace fourdollar::blog
