// Client threads that edit (PUT) and delete (DELETE) posts on a running server while it may be
// killed, and record the last acknowledged state of every post they touched: its text after the
// last edit answered 303, or deleted after a 204. A post whose change was sent but not answered
// when the server died is "in doubt" (the change may or may not have committed) and is left out
// of the checks; everything acknowledged must hold after a restart.
//
// Each thread owns a disjoint share of the posts and changes one at a time, so at most one change
// per thread is ever in doubt. Threading: the public methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/acknowledged_writers.h"

namespace fourdollar::e2e {

struct EditorOptions {
  std::string host;
  uint16_t port = 0;
  std::string token;
  int connections = 4;
  uint64_t seed = 1;
  std::vector<AcknowledgedPost> posts;  // existing posts to edit and delete
  int delete_one_in = 5;                // each change is a delete with this odds (1 in N)
};

// The last acknowledged state of one post.
struct EditedPost {
  AcknowledgedPost post;  // the text of the last acknowledged edit
  bool deleted = false;
  bool in_doubt = false;  // a change was in flight when the connection died
};

class AcknowledgedEditors {
 public:
  explicit AcknowledgedEditors(EditorOptions options);
  ~AcknowledgedEditors();
  AcknowledgedEditors(const AcknowledgedEditors&) = delete;
  AcknowledgedEditors& operator=(const AcknowledgedEditors&) = delete;

  // Waits until `count` changes were acknowledged, every thread ended, or the time is up.
  size_t WaitForAcknowledged(size_t count, int timeout_ms);
  void Stop() { stopping_ = true; }
  void Join();

  // By id, every post a change was acknowledged for or is in doubt.
  std::map<int64_t, EditedPost> changed() const;
  // Answers other than 303 to PUT and 204 to DELETE ("STATUS BODY").
  std::vector<std::string> unexpected() const;

 private:
  void Run(int thread);

  const EditorOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable changed_signal_;
  std::map<int64_t, EditedPost> changed_;  // guarded by mutex_
  std::vector<std::string> unexpected_;    // guarded by mutex_
  size_t acknowledged_ = 0;                // guarded by mutex_
  int running_ = 0;                        // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace fourdollar::e2e
