// Client threads that post to a running server on keep-alive connections, several requests
// pipelined per connection, and record every post the server acknowledged (303) with the id it
// named and the exact title and body sent; plus a check that such posts are all served back.
//
// Titles and bodies are random (seeded) mixes of ASCII, markup characters, quotes, SQL, multibyte
// UTF-8, tabs and line breaks, so "the same text" is checked byte for byte.
//
// Threading: the public methods are thread-safe; the writer threads are internal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/http_client.h"
#include "e2e/sqlite_file.h"

namespace fourdollar::e2e {

// A post the server answered 303 "stored as /ID".
struct AcknowledgedPost {
  int64_t id = 0;
  std::string title;
  std::string body;
};

struct WriterOptions {
  std::string host;
  uint16_t port = 0;
  std::string token;  // sent as Authorization: Bearer when not empty
  int connections = 8;
  int pipeline_depth = 4;  // requests sent back to back before their answers are read
  std::string tag;         // starts every title, so rounds of a test never collide
  uint64_t seed = 1;
};

class AcknowledgedWriters {
 public:
  // Starts one thread per connection. Each posts until Stop() or until its connection fails
  // (the server went away); it does not reconnect.
  explicit AcknowledgedWriters(WriterOptions options);
  ~AcknowledgedWriters();
  AcknowledgedWriters(const AcknowledgedWriters&) = delete;
  AcknowledgedWriters& operator=(const AcknowledgedWriters&) = delete;

  // Waits until `count` posts were acknowledged, every thread ended, or the time is up; returns
  // the acknowledged count.
  size_t WaitForAcknowledged(size_t count, int timeout_ms);
  // How many threads are still posting.
  int Running() const;

  void Stop() { stopping_ = true; }
  void Join();

  // Copies, safe at any time.
  std::vector<AcknowledgedPost> acknowledged() const;
  // Answers other than 303, and 303s without an id: "STATUS BODY".
  std::vector<std::string> unexpected() const;

 private:
  void Run(int thread);

  const WriterOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<AcknowledgedPost> acknowledged_;  // guarded by mutex_
  std::vector<std::string> unexpected_;         // guarded by mutex_
  int running_ = 0;                             // guarded by mutex_
  std::vector<std::thread> threads_;
};

// A random title (1..120 code points, no control characters) and body (1..3000 bytes, with tabs
// and line breaks) that the server must accept; `unique` is put in the title.
AcknowledgedPost RandomPost(const std::string& unique, uint64_t seed);

// GETs /ID of every post (pipelined on one connection) and compares the page's title and body
// with what was sent. Returns one line per difference (at most `max_problems`), empty when all
// match.
std::vector<std::string> CheckPostPages(const std::string& host, uint16_t port,
                                        const std::vector<AcknowledgedPost>& posts,
                                        size_t max_problems = 10);

// The same comparison on a SQLite file read directly (ReadSqliteFile): every post must be a row
// with its id, title and body. Returns one line per difference (at most `max_problems`).
std::vector<std::string> CheckPostsInFile(const SqliteFileContents& contents,
                                          const std::vector<AcknowledgedPost>& posts,
                                          size_t max_problems = 10);

}  // namespace fourdollar::e2e
