#include "store/edit_log.h"

namespace fourdollar::store {

void EditLog::Record(std::span<const int64_t> ids) {
  if (ids.empty()) return;
  std::lock_guard lock(mutex_);
  const uint64_t next = generation_.load(std::memory_order_relaxed) + 1;
  for (int64_t id : ids) entries_.push_back(Entry{next, id});
  while (entries_.size() > kMaxEntries) {
    known_after_ = entries_.front().generation;
    entries_.pop_front();
  }
  // Trimming may have cut a step in two: what is left of its ids is not the whole step.
  while (!entries_.empty() && entries_.front().generation <= known_after_) entries_.pop_front();
  generation_.store(next, std::memory_order_release);
}

void EditLog::RecordUnknown() {
  std::lock_guard lock(mutex_);
  const uint64_t next = generation_.load(std::memory_order_relaxed) + 1;
  entries_.clear();
  known_after_ = next;
  generation_.store(next, std::memory_order_release);
}

EditLog::Changes EditLog::ChangedSince(uint64_t since) const {
  std::lock_guard lock(mutex_);
  Changes changes;
  changes.generation = generation_.load(std::memory_order_relaxed);
  if (since < known_after_) return changes;
  std::vector<int64_t> ids;
  // Newest last: walk back while the entries are newer than `since`.
  for (auto it = entries_.rbegin(); it != entries_.rend() && it->generation > since; ++it) {
    ids.push_back(it->id);
  }
  changes.ids = std::move(ids);
  return changes;
}

}  // namespace fourdollar::store
