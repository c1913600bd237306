// A SQLite VFS, layered on the default one, that writes the frames of a WAL commit with one
// system call instead of two per page.
//
// SQLite writes each WAL frame as two writes (its 24-byte header, then the page), so a commit of
// nine pages costs eighteen `pwrite` calls before its `fdatasync`. No SQLite option or Debian
// package merges them, hence this shim. Writes to a WAL file that continue the previous one are
// kept in memory and handed to the default VFS as one write when:
//   - SQLite syncs the WAL (each commit, with synchronous=FULL);
//   - the page of a commit frame has been written (a frame header whose bytes 4-7, "the size of
//     the database after the commit" in the WAL format, are not zero), so a commit is in the
//     file before SQLite publishes it to other connections through the WAL index, whatever the
//     synchronous setting;
//   - anything reads, sizes, truncates, syncs, controls or closes the WAL, or a write does not
//     continue the pending bytes, or they would pass 96 KiB.
// An error of that write is returned by the call that made it, so a commit fails as it would have
// without the shim. Every other file (the database, the WAL index, journals) passes straight
// through.
#pragma once

namespace fourdollar::store {

// The VFS's name, for sqlite3_open_v2. Registered (not as the default) on the first call.
// Thread-safe.
const char* WalBatchingVfsName();

}  // namespace fourdollar::store
