// Keeps the instance's caches coherent with writes from other instances: one thread holds a
// connection that LISTENs on fourdollar_posts and bumps the store's generation on each
// notification of another instance (its own writer has counted its own commits; records the posts
// edited or deleted that the payload names, see postgres_edit_notice.h). When the connection is
// lost it bumps both (every cached page is dropped), reconnects with backoff, and bumps it again
// once listening, to cover whatever was committed while it was not.
//
// Threading: Start and Stop are called by the owner; everything else runs on the listener's
// thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"
#include "store/postgres_edit_notice.h"
#include "store/postgres_metrics.h"

namespace fourdollar::store {

class PostgresListener {
 public:
  // Starts the thread; it connects to `url` by itself (and keeps trying). `bump_generation` is
  // called from the listener's thread with the posts edited or deleted (nullopt: any may have),
  // for every notification whose origin is not `own_origin`; it and `metrics` must outlive the
  // listener.
  static Result<std::unique_ptr<PostgresListener>> Start(
      std::string url, std::string own_origin,
      std::function<void(const EditedPosts& edited)> bump_generation, PostgresMetrics& metrics);

  // Calls Stop().
  ~PostgresListener();
  PostgresListener(const PostgresListener&) = delete;
  PostgresListener& operator=(const PostgresListener&) = delete;

  // Wakes the thread and joins it. Idempotent.
  void Stop();

 private:
  PostgresListener(std::string url, std::string own_origin,
                   std::function<void(const EditedPosts& edited)> bump_generation,
                   PostgresMetrics& metrics, UniqueFd stop_event);
  void Run();
  // Waits until `fd` is readable, the stop event fires, or `timeout_ms` passes (-1: no limit).
  // False when stopping.
  bool Wait(int fd, int timeout_ms);

  const std::string url_;
  const std::string own_origin_;
  const std::function<void(const EditedPosts& edited)> bump_generation_;
  PostgresMetrics& metrics_;
  UniqueFd stop_event_;  // an eventfd written once by Stop
  std::thread thread_;
};

}  // namespace fourdollar::store
