#include "store/sqlite_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "store/sqlite_connection.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_session.h"
#include "store/sqlite_writer.h"
#include "store/writer_backed_store.h"

namespace fourdollar::store {

namespace {

// How long the writer waits for a lock held by another process (a backup, a second instance)
// before failing the batch.
constexpr int kWriteBusyTimeoutMs = 5000;

class SqliteStore final : public WriterBackedStore<SqliteWriter> {
 public:
  SqliteStore(std::string path, std::shared_ptr<SqliteWriter> writer)
      : WriterBackedStore(std::move(writer)), path_(std::move(path)) {}
  ~SqliteStore() override { Shutdown(); }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::unique_ptr<StoreSession>> OpenSession(Executor& loop) override {
    auto session = SqliteSession::Open(path_, writer_, loop);
    if (!session) return tl::unexpected(session.error());
    return std::unique_ptr<StoreSession>(std::move(*session));
  }
  void Shutdown() override { writer_->Shutdown(); }
  std::string Describe() const override { return "sqlite:" + path_; }

 private:
  const std::string path_;
};

// Like `mkdir -p`, but new folders get mode 0700: the database holds every post.
Status CreateDirectories(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> missing;
  for (auto p = dir; !p.empty() && p != p.root_path(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        return MakeError(ErrorCode::kIo, "cannot create folder " + dir.string() + ": " +
                                             p.string() + " is not a folder");
      }
      break;
    }
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoError("cannot create folder " + it->string(), errno);
    }
  }
  return {};
}

Result<std::string> AbsolutePath(const std::string& path) {
  if (path.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "store URL \"sqlite:\" names no file");
  }
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo, "cannot resolve store path " + path + ": " + ec.message());
  }
  absolute = absolute.lexically_normal();
  if (!absolute.has_filename()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "store path " + path + " names a folder, not a database file");
  }
  return absolute.string();
}

Status Configure(SqliteDb& db) {
  // WAL lets every session read beside the writer; FULL syncs the WAL at each commit, which
  // is what "stored durably" promises.
  auto mode = db.QueryText("PRAGMA journal_mode=WAL");
  if (!mode) return tl::unexpected(mode.error());
  if (*mode != "wal") {
    return MakeError(ErrorCode::kIo,
                     "database " + db.path() + " refused WAL mode (journal mode is " + *mode + ")");
  }
  return db.Exec("PRAGMA synchronous=FULL");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& options,
                                               const Clock& clock) {
  auto absolute = AbsolutePath(path);
  if (!absolute) return tl::unexpected(absolute.error());
  auto folder = CreateDirectories(std::filesystem::path(*absolute).parent_path());
  if (!folder) return tl::unexpected(folder.error());

  auto db = SqliteDb::Open(*absolute, SqliteDb::Mode::kReadWriteCreate, kWriteBusyTimeoutMs);
  if (!db) return tl::unexpected(db.error());
  if (auto configured = Configure(*db); !configured) return tl::unexpected(configured.error());
  if (auto migrated = MigrateSqliteSchema(*db, options.render_html); !migrated) {
    return tl::unexpected(migrated.error());
  }
  auto writer =
      SqliteWriter::Start(std::move(*db), clock, {options.max_queued_writes, options.max_batch});
  if (!writer) return tl::unexpected(writer.error());
  return std::unique_ptr<Store>(
      new SqliteStore(*absolute, std::shared_ptr<SqliteWriter>(std::move(*writer))));
}

}  // namespace fourdollar::store
