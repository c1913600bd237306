// Which posts the edits and deletes of each commit touched, so that a cache drops the pages of
// those posts only, not of every post. A store counts its edit generations here: each commit
// that edited or deleted posts is one step, recorded with the ids it changed.
//
// Threading: thread-safe. Generation() is one atomic load; Record, RecordUnknown and
// ChangedSince take a mutex (once per commit, and once per loop thread after each commit).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace fourdollar::store {

class EditLog {
 public:
  // The log keeps the ids of this many recent changes; a reader further behind is told that
  // anything may have changed.
  static constexpr size_t kMaxEntries = 4096;

  EditLog() = default;
  EditLog(const EditLog&) = delete;
  EditLog& operator=(const EditLog&) = delete;

  // The current edit generation: starts at 0, one more for each Record or RecordUnknown.
  uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }

  // One step: posts `ids` were edited or deleted. The ids are in the log before the new
  // generation can be read. No step when `ids` is empty (a commit that only added posts).
  void Record(std::span<const int64_t> ids);

  // One step: posts may have been edited or deleted, which ones is not known (a notification
  // from another instance may have been missed).
  void RecordUnknown();

  struct Changes {
    uint64_t generation = 0;                  // the generation the answer is current to
    std::optional<std::vector<int64_t>> ids;  // nullopt: any post may have changed
  };
  // The posts changed after generation `since` (possibly with repeats), up to `generation`.
  Changes ChangedSince(uint64_t since) const;

 private:
  struct Entry {
    uint64_t generation = 0;
    int64_t id = 0;
  };
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // oldest first
  // Every change after this generation is in entries_; before it, unknown.
  uint64_t known_after_ = 0;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace fourdollar::store
