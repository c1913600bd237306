#include "store/sqlite_wal_vfs.h"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <mutex>

namespace fourdollar::store {

namespace {

constexpr const char* kVfsName = "fourdollar-wal";
// A WAL frame's header (https://www.sqlite.org/fileformat2.html#walformat); SQLite writes it
// alone, then the page.
constexpr int kFrameHeaderBytes = 24;
// The default "unix" VFS writes less than 128 KiB per call (SQLite never asks it for more than a
// frame): the pending bytes stay under that.
constexpr int kMaxPendingBytes = 96 << 10;

// SQLite allocates szOsFile bytes for each open file: this struct, then the default VFS's file.
struct BatchedFile {
  sqlite3_file base;  // first: what SQLite holds
  sqlite3_file* real;
  bool is_wal;
  bool commit_page_next;  // the last write was the header of a commit frame
  char* pending;          // sqlite3_malloc'd, kMaxPendingBytes, on the first write of a WAL
  int pending_bytes;
  sqlite3_int64 pending_offset;
};
static_assert(sizeof(BatchedFile) % 8 == 0,
              "the default VFS's file follows BatchedFile and needs 8-byte alignment");

// SQLite's VFS registry is process-wide: these two are set once, by Register, and only read after.
sqlite3_vfs* real_vfs = nullptr;  // the default VFS
sqlite3_vfs vfs{};

BatchedFile* Of(sqlite3_file* file) { return reinterpret_cast<BatchedFile*>(file); }
const sqlite3_io_methods& RealMethods(BatchedFile* f) { return *f->real->pMethods; }

bool IsCommitFrameHeader(const void* data, int amount) {
  if (amount != kFrameHeaderBytes) return false;
  const auto* bytes = static_cast<const unsigned char*>(data);
  return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

int Flush(BatchedFile* f) {
  if (f->pending_bytes == 0) return SQLITE_OK;
  const int bytes = f->pending_bytes;
  f->pending_bytes = 0;
  return RealMethods(f).xWrite(f->real, f->pending, bytes, f->pending_offset);
}

int Close(sqlite3_file* file) {
  BatchedFile* f = Of(file);
  const int flushed = Flush(f);
  const int closed = RealMethods(f).xClose(f->real);
  sqlite3_free(f->pending);
  f->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int Read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  BatchedFile* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return RealMethods(f).xRead(f->real, data, amount, offset);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  BatchedFile* f = Of(file);
  if (!f->is_wal) return RealMethods(f).xWrite(f->real, data, amount, offset);
  const bool ends_commit = f->commit_page_next;
  f->commit_page_next = IsCommitFrameHeader(data, amount);
  const bool continues = f->pending_bytes > 0 && offset == f->pending_offset + f->pending_bytes &&
                         f->pending_bytes + amount <= kMaxPendingBytes;
  if (!continues) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (f->pending == nullptr && amount <= kMaxPendingBytes) {
    f->pending = static_cast<char*>(sqlite3_malloc(kMaxPendingBytes));
  }
  if (f->pending == nullptr || amount > kMaxPendingBytes) {
    return RealMethods(f).xWrite(f->real, data, amount, offset);
  }
  if (f->pending_bytes == 0) f->pending_offset = offset;
  std::memcpy(f->pending + f->pending_bytes, data, static_cast<size_t>(amount));
  f->pending_bytes += amount;
  return ends_commit ? Flush(f) : SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  BatchedFile* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return RealMethods(f).xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  BatchedFile* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return RealMethods(f).xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  BatchedFile* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return RealMethods(f).xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) {
  BatchedFile* f = Of(file);
  return RealMethods(f).xLock(f->real, level);
}

int Unlock(sqlite3_file* file, int level) {
  BatchedFile* f = Of(file);
  return RealMethods(f).xUnlock(f->real, level);
}

int CheckReservedLock(sqlite3_file* file, int* out) {
  BatchedFile* f = Of(file);
  return RealMethods(f).xCheckReservedLock(f->real, out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  BatchedFile* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  const int rc = RealMethods(f).xFileControl(f->real, op, arg);
  if (rc == SQLITE_OK && op == SQLITE_FCNTL_VFSNAME) {
    // As the multiplexor and other shims do: "ours/theirs".
    char** name = static_cast<char**>(arg);
    *name = sqlite3_mprintf("%s/%z", kVfsName, *name);
  }
  return rc;
}

int SectorSize(sqlite3_file* file) {
  BatchedFile* f = Of(file);
  return RealMethods(f).xSectorSize(f->real);
}

int DeviceCharacteristics(sqlite3_file* file) {
  BatchedFile* f = Of(file);
  return RealMethods(f).xDeviceCharacteristics(f->real);
}

// The shared-memory and memory-map methods belong to the database file: passed through when the
// default VFS has them (Linux's "unix" VFS does: version 3).
int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  BatchedFile* f = Of(file);
  if (RealMethods(f).iVersion < 2) return SQLITE_IOERR_SHMMAP;
  return RealMethods(f).xShmMap(f->real, region, size, extend, out);
}

int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  BatchedFile* f = Of(file);
  if (RealMethods(f).iVersion < 2) return SQLITE_IOERR_SHMLOCK;
  return RealMethods(f).xShmLock(f->real, offset, n, flags);
}

void ShmBarrier(sqlite3_file* file) {
  BatchedFile* f = Of(file);
  if (RealMethods(f).iVersion >= 2) RealMethods(f).xShmBarrier(f->real);
}

int ShmUnmap(sqlite3_file* file, int delete_flag) {
  BatchedFile* f = Of(file);
  if (RealMethods(f).iVersion < 2) return SQLITE_OK;
  return RealMethods(f).xShmUnmap(f->real, delete_flag);
}

int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  BatchedFile* f = Of(file);
  if (RealMethods(f).iVersion < 3) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return RealMethods(f).xFetch(f->real, offset, amount, out);
}

int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  BatchedFile* f = Of(file);
  if (RealMethods(f).iVersion < 3) return SQLITE_OK;
  return RealMethods(f).xUnfetch(f->real, offset, page);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  BatchedFile* f = Of(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->commit_page_next = false;
  f->pending = nullptr;
  f->pending_bytes = 0;
  f->pending_offset = 0;
  const int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
  // SQLite calls xClose only on a file whose pMethods is set.
  f->base.pMethods = f->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}

int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}

int FullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}

void* DlOpen(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }

void DlError(sqlite3_vfs*, int size, char* out) { real_vfs->xDlError(real_vfs, size, out); }

void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return real_vfs->xDlSym(real_vfs, handle, symbol);
}

void DlClose(sqlite3_vfs*, void* handle) { real_vfs->xDlClose(real_vfs, handle); }

int Randomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}

int Sleep(sqlite3_vfs*, int microseconds) { return real_vfs->xSleep(real_vfs, microseconds); }

int CurrentTime(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }

int GetLastError(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xGetLastError != nullptr ? real_vfs->xGetLastError(real_vfs, size, out) : 0;
}

int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64 != nullptr) {
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
  }
  double days = 0;
  const int rc = real_vfs->xCurrentTime(real_vfs, &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

void Register() {
  real_vfs = sqlite3_vfs_find(nullptr);
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(BatchedFile)) + real_vfs->szOsFile;
  vfs.mxPathname = real_vfs->mxPathname;
  vfs.zName = kVfsName;
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPathname;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = GetLastError;
  vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  sqlite3_vfs_register(&vfs, 0);
}

}  // namespace

const char* WalBatchingVfsName() {
  static std::once_flag registered;
  std::call_once(registered, Register);
  return kVfsName;
}

}  // namespace fourdollar::store
