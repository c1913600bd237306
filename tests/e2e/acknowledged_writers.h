// Client threads that post to running servers (one, or several instances in turn) on keep-alive
// connections, several requests pipelined per connection, and record every post the server
// acknowledged (303) with the id it named and the exact title and body sent, and every 503 with
// Retry-After; plus checks that such posts are all served back. The one writer helper of the
// end-to-end tests: crash safety, disk full, PostgreSQL instances and outages.
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

struct WriterTarget {
  std::string host;
  uint16_t port = 0;
};

struct WriterOptions {
  std::string host;  // the first server
  uint16_t port = 0;
  std::string token;  // sent as Authorization: Bearer when not empty
  int connections = 8;
  int pipeline_depth = 4;  // requests sent back to back before their answers are read
  std::string tag;         // starts every title, so rounds of a test never collide
  uint64_t seed = 1;
  // Further servers: each thread sends its rounds of `pipeline_depth` posts to the servers in
  // turn, starting with a different one per thread.
  std::vector<WriterTarget> more_targets;
  // Rounds of posts per thread; 0 posts until Stop().
  int rounds = 0;
  // After a transport error: connect again and go on (an outage the server rides out), or end
  // the thread (the server died: the answers not read are unknown, not lost).
  bool reconnect = false;
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
  // Waits until `count` 503 answers with Retry-After arrived, every thread ended, or the time is
  // up; returns the count.
  int WaitForUnavailable(int count, int timeout_ms);
  // How many threads are still posting.
  int Running() const;

  void Stop() { stopping_ = true; }
  void Join();

  // Copies, safe at any time.
  std::vector<AcknowledgedPost> acknowledged() const;
  // Answers other than 303 and 503 with Retry-After, 303s without an id ("STATUS BODY"), and
  // transport errors when reconnecting.
  std::vector<std::string> unexpected() const;
  int unavailable() const;

 private:
  void Run(int thread);
  // Sends one round on `connection`; false when the connection failed.
  bool PostRound(int thread, uint64_t round, HttpConnection& connection);

  const WriterOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<AcknowledgedPost> acknowledged_;  // guarded by mutex_
  std::vector<std::string> unexpected_;         // guarded by mutex_
  int unavailable_ = 0;                         // guarded by mutex_
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

// The server lists every post of `posts` under its id exactly once (all list pages), lists no id
// twice, and serves each post's page with its title and body (CheckPostPages). Returns one line
// per difference (at most `max_problems`), empty when all hold.
std::vector<std::string> CheckEachListedOnce(const std::string& host, uint16_t port,
                                             const std::vector<AcknowledgedPost>& posts,
                                             size_t max_problems = 10);

}  // namespace fourdollar::e2e
