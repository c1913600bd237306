// The open-file limit and the file-descriptor table of this process: each connection is a file.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace fourdollar {

// Descriptors a process needs beside its connections: listening sockets, the loops' own (epoll,
// eventfds, timers), files and the database.
constexpr uint64_t kDescriptorsBesideConnections = 64;

// Raises this process's soft limit of open files to its hard limit (commonly 1024 and 524288).
// Returns the limit now in force (0 when unknown).
uint64_t RaiseOpenFileLimit();

// Grows this process's table of file descriptors so that `count` of them fit without growing it
// again (at most up to the open-file limit, which RaiseOpenFileLimit should have raised first).
// Linux starts the table at 64 slots and doubles it as descriptors are opened; once a process
// has a second thread, each growth waits for an RCU grace period, and the thread that opens the
// descriptor (a loop accepting or connecting) stops for that long, milliseconds on a small VM,
// at each doubling of a run's connections. Grown once, before the threads start, the table never
// waits. The table is not shrunk again; it costs 8 bytes per slot. Returns how many descriptors
// the table holds now (0 when that cannot be read).
uint64_t ReserveFileDescriptors(uint64_t count);

// How many descriptors the table of process `pid` (0: this one) holds now (FDSize in
// /proc/PID/status; 0 when that cannot be read, as after the process has ended).
uint64_t FileDescriptorTableSize(pid_t pid = 0);

}  // namespace fourdollar
